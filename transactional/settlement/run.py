"""Supplier settlement: statements per business unit × supplier × period, in the supplier's
settlement currency, immutable once issued, balanced in the ledger, exported as payables.

A statement for ``[period_start, period_end)`` takes everything of the supplier, for the
unit, not yet on a statement and dated before the period's end (a late item is never lost:
it lands on the next run):

==========  =============================================================  ==========
line        what                                                           rate date
==========  =============================================================  ==========
goods       each delivered order's gross amount (+)                        delivery
promotion   each price promotion's discount on the order (−, supplier-funded) delivery
refund      each refund recovered from the supplier (−)                    refund
rebate      each dealer rebate accrual (−) or reversal (+) on its goods    accrual
adjustment  a manual correction (±)                                        —
==========  =============================================================  ==========

Refunds and rebates are included once their order's goods are settled (in this statement or
an earlier one). Each line converts its source amount to the statement currency at the
rate of its date (``accounting/fx.py``), recording rate, date and source; rounding is
ROUND_HALF_EVEN per line; the statement's totals are sums of its lines. The journal entry
(``accounting/postings.statement_issued``) balances per currency and credits the supplier's
payable with exactly the statement's net amount. The settled orders move to ``settled``
(``ordering/lifecycle.transition_order``).

Statements and their lines are append-only (database triggers). A second run for a period
that already has a regular statement issues a ``correction`` statement with the late items;
:func:`correct_statement` issues one with a manual adjustment. Every statement emits
``payable.exported`` (the ERP's accounts-payable import; the lake ingests it too).
Concurrent runs serialise on the supplier's row lock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.orm import Session

from transactional.accounting import postings
from transactional.accounting.fx import RateBook
from transactional.core import audit, events
from transactional.core.policy import Action, CommercePolicy, authorize, require_checker
from transactional.db.tables.catalogue import promotions
from transactional.db.tables.identity import business_units, suppliers
from transactional.db.tables.ordering import order_line_promotions, orders, refunds
from transactional.db.tables.rebates import rebate_accruals
from transactional.db.tables.settlement import statement_lines, statements
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.fx import Conversion
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal, not_found
from transactional.domain.status import OrderStatus
from transactional.ordering.lifecycle import transition_order
from transactional.settlement.statements import load_statement, payable_payload, statement_json

SETTLED = OrderStatus.SETTLED.value
DELIVERED = OrderStatus.DELIVERED.value


@dataclass(frozen=True)
class Line:
    """One statement line before it is written."""

    line_type: str
    order_id: int | None
    reference_type: str
    reference_id: str
    event_date: dt.date
    description: str
    conversion: Conversion
    amount: Decimal  # signed, statement currency


def _cutoff(period_end: dt.date) -> dt.datetime:
    return dt.datetime.combine(period_end, dt.time(0), dt.UTC)


def _settled_or(ids: list[int]) -> Any:
    return or_(orders.c.status == SETTLED, orders.c.id.in_(ids or [-1]))


def _collect(session: Session, bu: str, supplier_id: str, cutoff: dt.datetime) -> dict:
    goods = session.execute(select(orders).where(
        orders.c.business_unit == bu, orders.c.supplier_id == supplier_id,
        orders.c.status == DELIVERED, orders.c.delivered_at < cutoff,
    ).order_by(orders.c.id).with_for_update()).all()
    ids = [o.id for o in goods]
    promos = session.execute(
        select(order_line_promotions.c.order_id, order_line_promotions.c.promotion_id,
               order_line_promotions.c.promotion_version, promotions.c.code,
               order_line_promotions.c.amount, order_line_promotions.c.currency)
        .join(promotions, promotions.c.id == order_line_promotions.c.promotion_id)
        .where(order_line_promotions.c.order_id.in_(ids or [-1]))
        .order_by(order_line_promotions.c.order_id, order_line_promotions.c.sequence,
                  order_line_promotions.c.line_no)).all()
    refund_rows = session.execute(
        select(refunds).join(orders, orders.c.id == refunds.c.order_id).where(
            refunds.c.business_unit == bu, refunds.c.supplier_id == supplier_id,
            refunds.c.kind == "refund", refunds.c.statement_id.is_(None),
            refunds.c.created_at < cutoff, _settled_or(ids),
        ).order_by(refunds.c.id).with_for_update(of=refunds)).all()
    accruals = session.execute(
        select(rebate_accruals, promotions.c.code)
        .join(orders, orders.c.id == rebate_accruals.c.order_id)
        .join(promotions, promotions.c.id == rebate_accruals.c.promotion_id).where(
            rebate_accruals.c.business_unit == bu, rebate_accruals.c.supplier_id == supplier_id,
            rebate_accruals.c.statement_id.is_(None), rebate_accruals.c.accrued_at < cutoff,
            _settled_or(ids),
        ).order_by(rebate_accruals.c.id).with_for_update(of=rebate_accruals)).all()
    return {"orders": goods, "promotions": promos, "refunds": refund_rows,
            "accruals": accruals}


def _lines(items: dict, currency: str, book: RateBook) -> list[Line]:
    out: list[Line] = []
    promos_by_order: dict[int, dict[int, Any]] = {}
    for p in items["promotions"]:
        per = promos_by_order.setdefault(p.order_id, {})
        if p.promotion_id in per:
            per[p.promotion_id] = (per[p.promotion_id][0], per[p.promotion_id][1] + p.amount)
        else:
            per[p.promotion_id] = (p, p.amount)
    for o in items["orders"]:
        day = o.delivered_at.date()
        c = book.convert(o.gross_amount, o.currency, currency, day)
        out.append(Line("goods", o.id, "order", str(o.id), day, f"order {o.id} delivered",
                        c, c.amount))
        for promotion_id, (p, amount) in sorted(promos_by_order.get(o.id, {}).items()):
            c = book.convert(amount, o.currency, currency, day)
            out.append(Line("promotion", o.id, "promotion", str(promotion_id), day,
                            f"promotion {p.code} v{p.promotion_version} on order {o.id}",
                            c, -c.amount))
    for r in items["refunds"]:
        day = r.created_at.date()
        c = book.convert(r.amount, r.currency, currency, day)
        out.append(Line("refund", r.order_id, "refund", str(r.id), day,
                        f"refund {r.id} on order {r.order_id}", c, -c.amount))
    for a in items["accruals"]:
        day = a.accrued_at.date()
        c = book.convert(a.amount, a.currency, currency, day)
        what = "rebate" if a.kind == "accrual" else "rebate reversal"
        out.append(Line("rebate", a.order_id, "rebate_accrual", str(a.id), day,
                        f"{what} {a.code} (dealer {a.dealer_account_id}) on order {a.order_id}",
                        c, -c.amount))
    return out


def _legs(lines: list[Line]) -> list[postings.CurrencyLeg]:
    legs: dict[str, postings.CurrencyLeg] = {}
    for line in lines:
        if line.line_type == "adjustment":  # posted against settlement_adjustments
            continue
        leg = legs.setdefault(line.conversion.source_currency,
                              postings.CurrencyLeg(line.conversion.source_currency))
        source = line.conversion.source_amount
        if line.line_type == "goods":
            leg.goods += source
        elif line.line_type == "promotion":
            leg.promotions += source
        elif line.line_type == "refund":
            leg.refunds += source
        elif line.line_type == "rebate":
            leg.rebates += source
        leg.converted += line.amount
    return [legs[c] for c in sorted(legs)]


def _write(session: Session, actor: Principal, bu: str, supplier: Any, currency: str,
           period: tuple[dt.date, dt.date], lines: list[Line], policy: CommercePolicy,
           now: dt.datetime, corrects: int | None = None) -> dict[str, Any]:
    """Post the entry and insert the statement with its lines; returns the statement."""
    def total(kind: str) -> Decimal:
        return to_decimal(sum((x.amount for x in lines if x.line_type == kind), Decimal(0)))

    seq = session.execute(select(func.count()).select_from(statements).where(
        statements.c.business_unit == bu, statements.c.supplier_id == supplier.id)).scalar_one()
    ref = f"{bu}/{supplier.id}/{period[0]}/{period[1]}/{seq + 1}"
    entry = postings.statement_issued(session, actor, ref, bu, supplier.id, currency,
                                      _legs(lines), total("adjustment"))
    statement_id = session.execute(insert(statements).values(
        business_unit=bu, supplier_id=supplier.id,
        kind="correction" if corrects else "regular", corrects_statement_id=corrects,
        period_start=period[0], period_end=period[1], currency=currency,
        gross_amount=total("goods"), promotion_amount=-total("promotion"),
        refund_amount=-total("refund"), rebate_amount=-total("rebate"),
        adjustment_amount=total("adjustment"),
        net_amount=to_decimal(sum((x.amount for x in lines), Decimal(0))),
        line_count=len(lines), due_date=period[1] + dt.timedelta(days=policy.payment_terms_days),
        journal_entry_id=entry, issued_at=now, issued_by=actor.user_id,
    ).returning(statements.c.id)).scalar_one()
    session.execute(insert(statement_lines), [
        {"statement_id": statement_id, "line_no": n, "line_type": x.line_type,
         "order_id": x.order_id, "reference_type": x.reference_type,
         "reference_id": x.reference_id, "event_date": x.event_date,
         "description": x.description[:300], "source_amount": x.conversion.source_amount,
         "source_currency": x.conversion.source_currency,
         "fx_rate": x.conversion.rate if x.conversion.rate_date else None,
         "fx_rate_date": x.conversion.rate_date,
         "fx_source": x.conversion.rate_source if x.conversion.rate_date else None,
         "amount": x.amount}
        for n, x in enumerate(lines, start=1)])
    statement = load_statement(session, statement_id)
    audit.record(session, actor, "statement.issue", "statement", statement_id,
                 business_unit=bu, details={"supplier_id": supplier.id, "kind": statement.kind,
                                            "net_amount": statement.net_amount,
                                            "currency": currency})
    events.emit(session, "payable.exported", "statement", statement_id,
                payable_payload(session, statement, supplier), business_unit=bu,
                supplier_id=supplier.id)
    return statement_json(session, statement)


def _settlement_currency(supplier: Any, policy: CommercePolicy) -> str:
    return supplier.settlement_currency or policy.settlement_currency_default


def _issue(session: Session, actor: Principal, bu: str, supplier_id: str,
           period: tuple[dt.date, dt.date], policy: CommercePolicy,
           now: dt.datetime) -> dict[str, Any] | None:
    supplier = session.execute(select(suppliers).where(suppliers.c.id == supplier_id)
                               .with_for_update()).one()
    items = _collect(session, bu, supplier_id, _cutoff(period[1]))
    if not any(items[k] for k in ("orders", "refunds", "accruals")):
        return None
    currency = _settlement_currency(supplier, policy)
    lines = _lines(items, currency, RateBook(session, policy))
    regular = session.execute(select(statements.c.id).where(
        statements.c.business_unit == bu, statements.c.supplier_id == supplier_id,
        statements.c.period_start == period[0], statements.c.period_end == period[1],
        statements.c.kind == "regular")).scalar()
    statement = _write(session, actor, bu, supplier, currency, period, lines, policy, now,
                       corrects=regular)
    for o in items["orders"]:
        transition_order(session, actor, o.id, "settle", reason=f"statement {statement['id']}",
                         extra={"statement_id": statement["id"]})
    for table, rows in ((refunds, items["refunds"]), (rebate_accruals, items["accruals"])):
        if rows:
            session.execute(update(table).where(table.c.id.in_([r.id for r in rows]))
                            .values(statement_id=statement["id"]))
    return statement


def pending_pairs(session: Session, units: list[str] | None, supplier_id: str | None,
                  cutoff: dt.datetime) -> list[tuple[str, str]]:
    """(unit, supplier) pairs with something to settle before ``cutoff``."""
    sources = [
        select(orders.c.business_unit, orders.c.supplier_id).where(
            orders.c.status == DELIVERED, orders.c.delivered_at < cutoff),
        select(refunds.c.business_unit, refunds.c.supplier_id).where(
            refunds.c.kind == "refund", refunds.c.statement_id.is_(None),
            refunds.c.created_at < cutoff),
        select(rebate_accruals.c.business_unit, rebate_accruals.c.supplier_id).where(
            rebate_accruals.c.statement_id.is_(None), rebate_accruals.c.accrued_at < cutoff),
    ]
    pairs: set[tuple[str, str]] = set()
    for query in sources:
        for bu, sup in session.execute(query.distinct()):
            if (units is None or bu in units) and supplier_id in (None, sup):
                pairs.add((bu, sup))
    return sorted(pairs)


def issue_statements(session: Session, actor: Principal, period_start: dt.date,
                     period_end: dt.date, policy: CommercePolicy, *,
                     business_unit: str | None = None, supplier_id: str | None = None,
                     now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Issue the statements of a period (finance, admins; a unit's finance: its unit).

    Args:
        period_start, period_end: ``[start, end)``; the end may not be after tomorrow.
        business_unit: group admins only (default: every unit).
        supplier_id: one supplier only.

    Returns:
        The statements issued (none for pairs with nothing to settle).

    Raises:
        ValidationFailedError: bad period; FxRateMissingError (``fx_rate_missing``).
    """
    authorize(actor, Action.STATEMENT_ISSUE)
    now = now or utcnow()
    if not period_start < period_end or period_end > now.date() + dt.timedelta(days=1):
        raise ValidationFailedError("a period is [start, end) with end at most tomorrow")
    if actor.is_group_admin:
        units = [business_unit] if business_unit else None
    elif business_unit not in (None, actor.business_unit):
        raise not_found("business unit", business_unit)
    else:
        units = [actor.business_unit]
    if units and session.execute(select(business_units.c.code).where(
            business_units.c.code == units[0])).first() is None:
        raise not_found("business unit", units[0])
    issued = []
    for bu, sup in pending_pairs(session, units, supplier_id, _cutoff(period_end)):
        statement = _issue(session, actor, bu, sup, (period_start, period_end), policy, now)
        if statement is not None:
            issued.append(statement)
    return issued


def correct_statement(session: Session, actor: Principal, statement_id: int,
                      amount: Decimal | str, description: str, policy: CommercePolicy,
                      now: dt.datetime | None = None) -> dict[str, Any]:
    """Issue a correction of an issued statement: one adjustment line (+: more payable).

    Whoever issued the statement may not correct it (maker ≠ checker, ``core/policy.py``).

    Raises:
        ForbiddenError (role; ``separation_of_duties``), NotFoundError,
        ValidationFailedError (zero amount, no description).
    """
    authorize(actor, Action.STATEMENT_CORRECT)
    original = load_statement(session, statement_id, actor=actor)
    require_checker(actor, Action.STATEMENT_CORRECT, original.issued_by)
    try:
        value = to_decimal(amount)
    except ValueError as exc:
        raise ValidationFailedError(str(exc)) from exc
    if value == 0 or not (description or "").strip():
        raise ValidationFailedError("a correction needs a non-zero amount and a description")
    supplier = session.execute(select(suppliers).where(suppliers.c.id == original.supplier_id)
                               .with_for_update()).one()
    now = now or utcnow()
    c = Conversion(value, original.currency, value, original.currency, Decimal(1), None,
                   "manual correction")
    line = Line("adjustment", None, "statement", str(original.id), now.date(),
                description.strip(), c, value)
    return _write(session, actor, original.business_unit, supplier, original.currency,
                  (original.period_start, original.period_end), [line], policy, now,
                  corrects=original.corrects_statement_id or original.id)
