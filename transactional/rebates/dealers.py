"""Dealer accounts: who earns tiered rebates, their balances, and settling rebates to them.

A dealer account belongs to a business unit and is either linked to one buyer user (a
dealer trading on the platform under its own login) or, with no user, stands for the
whole unit buying as a dealer. Staff of the unit (admins, procurement, finance) manage and
read it; the linked buyer reads it too.

:func:`settle_rebates` (finance, admins) moves every accrued, not yet settled rebate —
including reversals — to the dealer's account: one settlement (and ledger entry:
Dr dealer_rebates_accrued / Cr dealer_credit) per currency; ``rebate.settled``. Marginal
tiers make accruals final, so this can run any time, mid-period included.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.accounting import postings
from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.core.paging import fetch_page
from transactional.db.tables.catalogue import promotions
from transactional.db.tables.identity import business_units, users
from transactional.db.tables.rebates import (
    dealer_accounts,
    dealer_settlements,
    rebate_accruals,
    rebate_periods,
)
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal, Role, not_found
from transactional.domain.rebates import current_tier, parse_tiers
from transactional.identity.directory import CODE

STAFF = (Role.ADMIN, Role.PROCUREMENT, Role.FINANCE)


def _public(row: Any) -> dict[str, Any]:
    return {k: row._mapping[k] for k in ("id", "code", "name", "business_unit",
                                         "buyer_user_id", "customer_ref", "created_at")}


def create_dealer_account(session: Session, actor: Principal, *, code: str, name: str,
                          business_unit: str, buyer_user_id: int | None = None,
                          customer_ref: str | None = None) -> dict[str, Any]:
    """Open a dealer account (staff of the unit; group admins for any unit).

    Raises:
        ForbiddenError, NotFoundError (unit outside scope), ValidationFailedError (bad code,
        buyer not a buyer of the unit), ConflictError (code or buyer already has one).
    """
    actor.require(*STAFF)
    if not actor.can_see_business_unit(business_unit) or session.execute(
            select(business_units.c.code).where(business_units.c.code == business_unit)
    ).first() is None:
        raise not_found("business unit", business_unit)
    if not CODE.match(code or "") or not (name or "").strip():
        raise ValidationFailedError("code: 1-64 letters, digits, _ or -; name: not empty")
    if buyer_user_id is not None:
        buyer = session.execute(select(users).where(users.c.id == buyer_user_id)).first()
        if buyer is None or buyer.role != Role.BUYER.value or buyer.business_unit != business_unit:
            raise ValidationFailedError("buyer_user_id must be a buyer of the same unit")
    same = [dealer_accounts.c.code == code]
    if buyer_user_id is not None:
        same.append(dealer_accounts.c.buyer_user_id == buyer_user_id)
    clash = session.execute(select(dealer_accounts.c.id).where(or_(*same))).first()
    if clash is not None:
        raise ConflictError("a dealer account with this code or buyer exists", code="duplicate")
    dealer_id = session.execute(insert(dealer_accounts).values(
        code=code, name=name.strip(), business_unit=business_unit, buyer_user_id=buyer_user_id,
        customer_ref=customer_ref, created_at=utcnow()).returning(dealer_accounts.c.id)
    ).scalar_one()
    row = session.execute(select(dealer_accounts).where(dealer_accounts.c.id == dealer_id)).one()
    audit.record(session, actor, "dealer_account.create", "dealer_account", dealer_id,
                 business_unit=business_unit, details={"code": code,
                                                       "buyer_user_id": buyer_user_id})
    events.emit(session, "dealer_account.created", "dealer_account", dealer_id, _public(row),
                business_unit=business_unit)
    return _public(row)


def _load(session: Session, actor: Principal, dealer_id: int, *, lock: bool = False) -> Any:
    query = select(dealer_accounts).where(dealer_accounts.c.id == dealer_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    visible = row is not None and (
        (actor.role in STAFF and actor.can_see_business_unit(row.business_unit))
        or (actor.role is Role.BUYER and row.buyer_user_id == actor.user_id))
    if not visible:
        raise not_found("dealer account", dealer_id)
    return row


def get_dealer_account(session: Session, actor: Principal, dealer_id: int) -> dict[str, Any]:
    """A dealer account with its rebate balances and period progress."""
    row = _load(session, actor, dealer_id)
    accruals = session.execute(select(rebate_accruals.c.amount, rebate_accruals.c.currency,
                                      rebate_accruals.c.dealer_settlement_id)
                               .where(rebate_accruals.c.dealer_account_id == dealer_id)).all()
    unsettled: dict[str, Decimal] = {}
    for a in accruals:
        if a.dealer_settlement_id is None:
            unsettled[a.currency] = unsettled.get(a.currency, Decimal(0)) + a.amount
    credit: dict[str, Decimal] = {}
    for s in session.execute(select(dealer_settlements.c.amount, dealer_settlements.c.currency)
                             .where(dealer_settlements.c.dealer_account_id == dealer_id)):
        credit[s.currency] = credit.get(s.currency, Decimal(0)) + s.amount
    periods = []
    for p in session.execute(
        select(rebate_periods, promotions.c.code, promotions.c.rules)
        .join(promotions, promotions.c.id == rebate_periods.c.promotion_id)
        .where(rebate_periods.c.dealer_account_id == dealer_id)
        .order_by(rebate_periods.c.period_start.desc(), rebate_periods.c.promotion_id)
    ):
        tiers = parse_tiers(p.rules["tiers"])
        tier = current_tier(tiers, p.volume)
        periods.append({
            "promotion_id": p.promotion_id, "code": p.code, "period_start": p.period_start,
            "period_end": p.period_end, "currency": p.currency, "volume": p.volume,
            "accrued": p.accrued, "tier": tier, "rate_percent": tiers[tier].rate_percent,
            "next_tier_from": tiers[tier + 1].threshold if tier + 1 < len(tiers) else None,
        })
    return {**_public(row),
            "rebates_unsettled": {c: to_decimal(v) for c, v in sorted(unsettled.items())},
            "rebates_settled": {c: to_decimal(v) for c, v in sorted(credit.items())},
            "periods": periods}


def list_dealer_accounts(session: Session, actor: Principal, page: PageRequest) -> Page[dict]:
    """Dealer accounts visible to ``actor``, with their balances and periods."""
    query = select(dealer_accounts).order_by(dealer_accounts.c.id)
    if actor.role is Role.BUYER:
        query = query.where(dealer_accounts.c.buyer_user_id == actor.user_id)
    elif actor.role in STAFF:
        if not actor.is_group_admin:
            query = query.where(dealer_accounts.c.business_unit == actor.business_unit)
    else:
        actor.require(*STAFF, Role.BUYER)
    rows, total = fetch_page(session, query, page)
    return Page.of([get_dealer_account(session, actor, r.id) for r in rows], total, page)


def settle_rebates(session: Session, actor: Principal, dealer_id: int,
                   now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Settle a dealer's accrued rebates to its account (see the module doc).

    Returns:
        One settlement per currency (empty when nothing was open).
    """
    actor.require(Role.FINANCE, Role.ADMIN)
    dealer = _load(session, actor, dealer_id, lock=True)
    now = now or utcnow()
    open_rows = session.execute(
        select(rebate_accruals.c.id, rebate_accruals.c.amount, rebate_accruals.c.currency)
        .where(rebate_accruals.c.dealer_account_id == dealer_id,
               rebate_accruals.c.dealer_settlement_id.is_(None))
        .order_by(rebate_accruals.c.id).with_for_update()).all()
    by_currency: dict[str, list[Any]] = {}
    for r in open_rows:
        by_currency.setdefault(r.currency, []).append(r)
    settled = []
    for currency, rows in sorted(by_currency.items()):
        amount = to_decimal(sum((r.amount for r in rows), Decimal(0)))
        entry = postings.rebates_settled(session, actor, dealer_id, amount, currency,
                                         dealer.business_unit)
        settlement_id = session.execute(insert(dealer_settlements).values(
            dealer_account_id=dealer_id, amount=amount, currency=currency, accruals=len(rows),
            settled_at=now, settled_by=actor.user_id, journal_entry_id=entry,
        ).returning(dealer_settlements.c.id)).scalar_one()
        session.execute(update(rebate_accruals).where(
            rebate_accruals.c.id.in_([r.id for r in rows])).values(
            dealer_settlement_id=settlement_id))
        record = {"id": settlement_id, "dealer_account_id": dealer_id, "amount": amount,
                  "currency": currency, "accruals": len(rows), "settled_at": now,
                  "journal_entry_id": entry}
        audit.record(session, actor, "rebate.settle", "dealer_account", dealer_id,
                     business_unit=dealer.business_unit, details=record)
        events.emit(session, "rebate.settled", "dealer_account", dealer_id, record,
                    business_unit=dealer.business_unit)
        settled.append(jsonable(record))
    return settled
