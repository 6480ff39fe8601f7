"""Dealer rebates at delivery: period volume, marginal tier accrual, reversal on refunds.

When an order is delivered (side effects ``ledger.delivery`` then ``rebates.accrue`` of
``ordering/lifecycle.py``), after the delivery is posted to the ledger:

1. the buyer's dealer account is found — the one linked to the buyer's user, else the one
   of the buyer's business unit (``buyer_user_id`` NULL); no account, no rebate;
2. for every active tiered-rebate programme in scope (unit, supplier, each line's
   category), the account's period row (programme × dealer × month/quarter) is locked,
   each eligible line's net amount is converted to the programme's currency (rate, date
   and source recorded when they differ) and accrued at the marginal tier rates
   (``domain/rebates.py``); one ledger entry per programme (Dr rebate_funding /
   Cr dealer_rebates_accrued) and a ``rebate.accrued`` event.

Rebate programmes stack with each other and with price promotions (the volume is net of
them). The period row lock serialises one dealer's concurrent deliveries, so tiers are
crossed exactly once. A refund reverses the order's rebate in proportion
(:func:`reverse_for_refunds`, cumulative so a full refund reverses exactly everything).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from transactional.accounting import postings
from transactional.accounting.fx import RateBook
from transactional.catalogue import promotions
from transactional.core import events
from transactional.core.jsonable import jsonable
from transactional.core.policy import current_policy
from transactional.db.tables.catalogue import skus
from transactional.db.tables.ordering import order_lines, refunds
from transactional.db.tables.rebates import dealer_accounts, rebate_accruals, rebate_periods
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal
from transactional.domain.rebates import marginal_rebate, parse_tiers, period_bounds, reversal_share

_INSERT_PERIOD = {
    "sqlite": sqlite.insert(rebate_periods).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(rebate_periods).on_conflict_do_nothing(),
}


def dealer_for(session: Session, order: Any) -> Any:
    """The dealer account an order's purchases count for, or None."""
    return session.execute(
        select(dealer_accounts).where(
            or_(dealer_accounts.c.buyer_user_id == order.buyer_user_id,
                (dealer_accounts.c.buyer_user_id.is_(None))
                & (dealer_accounts.c.business_unit == order.business_unit)))
        .order_by(dealer_accounts.c.buyer_user_id.is_(None), dealer_accounts.c.id)
        .limit(1)).first()


def _lock_period(session: Session, programme: Any, dealer_id: int, now: dt.datetime) -> Any:
    start, end = period_bounds(programme.rules.get("period", "month"), now)
    key = (rebate_periods.c.promotion_id == programme.id,
           rebate_periods.c.dealer_account_id == dealer_id,
           rebate_periods.c.period_start == start)
    row = session.execute(select(rebate_periods).where(*key).with_for_update()).first()
    if row is None:
        statement = _INSERT_PERIOD.get(session.connection().dialect.name, insert(rebate_periods))
        session.execute(statement.values(
            promotion_id=programme.id, dealer_account_id=dealer_id, period_start=start,
            period_end=end, currency=programme.currency, volume=Decimal(0),
            accrued=Decimal(0), updated_at=now))
        row = session.execute(select(rebate_periods).where(*key).with_for_update()).one()
    return row


def accrue(session: Session, actor: Principal, order: Any, action: str,
           reason: str | None, now: dt.datetime) -> dict[str, Any] | None:
    """Side effect ``rebates.accrue`` of ``deliver`` (see the module doc)."""
    dealer = dealer_for(session, order)
    if dealer is None:
        return None
    programmes = promotions.rebate_programmes(session, order.business_unit, order.supplier_id,
                                              now)
    if not programmes:
        return None
    lines = session.execute(
        select(order_lines.c.line_no, order_lines.c.net_amount, order_lines.c.currency,
               skus.c.category_id)
        .join(skus, skus.c.id == order_lines.c.sku_id)
        .where(order_lines.c.order_id == order.id).order_by(order_lines.c.line_no)).all()
    book = RateBook(session, current_policy())
    results = []
    for programme in programmes:
        eligible = [line for line in lines if programme.category_id in (None, line.category_id)]
        if not eligible:
            continue
        tiers = parse_tiers(programme.rules["tiers"])
        period = _lock_period(session, programme, dealer.id, now)
        volume, accrued, rows = period.volume, period.accrued, []
        for line in eligible:
            conversion = book.convert(line.net_amount, line.currency, programme.currency,
                                      now.date())
            amount, slices = marginal_rebate(tiers, volume, conversion.amount)
            volume, accrued = volume + conversion.amount, accrued + amount
            fx = conversion.rate_date is not None
            rows.append({
                "kind": "accrual", "promotion_id": programme.id,
                "promotion_version": programme.version, "dealer_account_id": dealer.id,
                "period_start": period.period_start, "order_id": order.id,
                "line_no": line.line_no, "business_unit": order.business_unit,
                "supplier_id": order.supplier_id, "volume": conversion.amount,
                "amount": amount, "currency": programme.currency,
                "tiers": [{"tier": s.tier, "volume": str(s.volume),
                           "rate_percent": str(s.rate_percent), "amount": str(s.amount)}
                          for s in slices],
                "fx_rate": conversion.rate if fx else None,
                "fx_rate_date": conversion.rate_date, "fx_source":
                    conversion.rate_source if fx else None,
                "accrued_at": now, "dealer_settlement_id": None, "statement_id": None,
            })
        total = sum((r["amount"] for r in rows), Decimal(0))
        entry = postings.rebate_accrued(session, actor, order, dealer.id, total,
                                        programme.currency)
        session.execute(insert(rebate_accruals), [{**r, "journal_entry_id": entry} for r in rows])
        session.execute(update(rebate_periods).where(
            rebate_periods.c.promotion_id == programme.id,
            rebate_periods.c.dealer_account_id == dealer.id,
            rebate_periods.c.period_start == period.period_start,
        ).values(volume=volume, accrued=accrued, updated_at=now))
        result = {"promotion_id": programme.id, "promotion_version": programme.version,
                  "code": programme.code, "dealer_account_id": dealer.id,
                  "period_start": period.period_start, "currency": programme.currency,
                  "volume": to_decimal(volume - period.volume), "amount": to_decimal(total),
                  "period_volume": to_decimal(volume), "period_accrued": to_decimal(accrued),
                  "lines": [{"line_no": r["line_no"], "amount": r["amount"],
                             "tiers": r["tiers"]} for r in rows], "journal_entry_id": entry}
        events.emit(session, "rebate.accrued", "dealer_account", dealer.id,
                    {**result, "order_id": order.id}, business_unit=order.business_unit,
                    supplier_id=order.supplier_id)
        results.append(jsonable(result))
    refunded = sum((r.amount for r in session.execute(select(refunds.c.amount).where(
        refunds.c.order_id == order.id, refunds.c.kind == "refund"))), Decimal(0))
    if refunded and results:
        reverse_for_refunds(session, actor, order, refunded, now)
    return {"dealer_account_id": dealer.id, "programmes": results} if results else None


def reverse_for_refunds(session: Session, actor: Principal, order: Any, refunded: Decimal,
                        now: dt.datetime) -> list[dict[str, Any]]:
    """Bring the order's reversed rebate to ``refunded`` ÷ order amount of what it accrued.

    Args:
        refunded: the order's cumulative refunded amount (order currency).

    Returns:
        The reversal rows written (signed amounts, negative).
    """
    rows = session.execute(select(rebate_accruals).where(rebate_accruals.c.order_id == order.id)
                           .order_by(rebate_accruals.c.id)).all()
    groups: dict[tuple[int, int], dict[str, Any]] = {}
    for r in rows:
        g = groups.setdefault((r.promotion_id, r.line_no), {
            "first": r, "amount": Decimal(0), "volume": Decimal(0),
            "reversed": Decimal(0), "reversed_volume": Decimal(0)})
        if r.kind == "accrual":
            g["amount"] += r.amount
            g["volume"] += r.volume
        else:
            g["reversed"] -= r.amount
            g["reversed_volume"] -= r.volume
    written = []
    for g in groups.values():
        delta = reversal_share(g["amount"], order.total_amount, refunded) - g["reversed"]
        volume = reversal_share(g["volume"], order.total_amount, refunded) - g["reversed_volume"]
        if delta <= 0 and volume <= 0:
            continue
        first = g["first"]
        period = session.execute(select(rebate_periods).where(
            rebate_periods.c.promotion_id == first.promotion_id,
            rebate_periods.c.dealer_account_id == first.dealer_account_id,
            rebate_periods.c.period_start == first.period_start).with_for_update()).one()
        entry = postings.rebate_accrued(session, actor, order, first.dealer_account_id, -delta,
                                        first.currency, "rebate_reversal")
        row = {c: getattr(first, c) for c in (
            "promotion_id", "promotion_version", "dealer_account_id", "period_start",
            "order_id", "line_no", "business_unit", "supplier_id", "currency")}
        row.update(kind="reversal", volume=-volume, amount=-delta, tiers=[],
                   fx_rate=None, fx_rate_date=None, fx_source=None, accrued_at=now,
                   journal_entry_id=entry, dealer_settlement_id=None, statement_id=None)
        session.execute(insert(rebate_accruals).values(**row))
        session.execute(update(rebate_periods).where(
            rebate_periods.c.promotion_id == period.promotion_id,
            rebate_periods.c.dealer_account_id == period.dealer_account_id,
            rebate_periods.c.period_start == period.period_start,
        ).values(volume=period.volume - volume, accrued=period.accrued - delta,
                 updated_at=now))
        written.append(jsonable(row))
        events.emit(session, "rebate.reversed", "dealer_account", first.dealer_account_id,
                    row, business_unit=order.business_unit, supplier_id=order.supplier_id)
    return written
