"""Coupon campaigns and issuing them to customers.

A campaign belongs to a business unit: amount off, percent off with a cap, or a threshold
reduction (满减), valid in a window, usable ``per_customer_limit`` times by each customer it
is issued to, stacking with price promotions or not. Finance and admins of the unit create
campaigns and issue them — to a segment (every dealer account of the unit whose customer is
in that segment now) or to a list of dealer accounts; a unit's benefit policy issues the
campaigns it names to the segments it names automatically (``benefits/granting.py``).
Issuing is idempotent: one grant per campaign and dealer account. Redemption at order
placement and its reversal are ``benefits/redemption.py``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.benefits.rules import SEGMENTS, CouponTerms, check_coupon_terms
from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.core.paging import fetch_page
from transactional.db.tables.benefits import coupon_campaigns, coupon_grants, customer_benefits
from transactional.db.tables.identity import business_units
from transactional.db.tables.rebates import dealer_accounts
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import check_currency, to_decimal
from transactional.domain.principal import Principal, Role, not_found
from transactional.identity.directory import CODE

WRITE_ROLES = (Role.FINANCE, Role.ADMIN)
READ_ROLES = (Role.FINANCE, Role.ADMIN, Role.PROCUREMENT)
MAX_LIST = 1000
_MONEY = ("amount", "percent", "max_discount", "min_order_amount")


def terms_of(row: Any) -> CouponTerms:
    """The discount rule of a ``coupon_campaigns`` row."""
    return CouponTerms(row.kind, row.currency, row.amount, row.percent, row.max_discount,
                       row.min_order_amount, row.repeat)


def public(row: Any) -> dict[str, Any]:
    """JSON-ready campaign."""
    return jsonable(dict(row._mapping))


def _unit(session: Session, actor: Principal, business_unit: str) -> None:
    if not actor.can_see_business_unit(business_unit) or session.execute(
            select(business_units.c.code).where(business_units.c.code == business_unit)).first() is None:
        raise not_found("business unit", business_unit)


def create_campaign(session: Session, actor: Principal, values: Mapping[str, Any]) -> dict[str, Any]:
    """Create a campaign (finance, admins of its unit; group admins any unit).

    Args:
        values: ``code, name, business_unit, kind, currency, amount, percent, max_discount,
            min_order_amount, repeat, per_customer_limit, stacks_with_promotions, valid_from,
            valid_to`` (see ``schemas/benefits.CampaignCreate``).

    Raises:
        ForbiddenError, NotFoundError (unit outside scope), ValidationFailedError
        ``invalid_campaign``, ConflictError ``duplicate`` (code taken).
    """
    actor.require(*WRITE_ROLES)
    _unit(session, actor, values["business_unit"])
    if not CODE.match(values["code"] or ""):
        raise ValidationFailedError("code: 1-64 letters, digits, _ or -", code="invalid_campaign")
    money = {k: (to_decimal(str(values[k])) if values.get(k) is not None else None) for k in _MONEY}
    try:
        currency = check_currency(values["currency"])
    except ValueError as exc:
        raise ValidationFailedError(str(exc), code="invalid_campaign") from exc
    check_coupon_terms(CouponTerms(values["kind"], currency, repeat=bool(values.get("repeat")), **money))
    now = utcnow()
    valid_from = values.get("valid_from") or now
    if values.get("valid_to") is not None and values["valid_to"] <= valid_from:
        raise ValidationFailedError("valid_to must be after valid_from", code="invalid_campaign")
    if session.execute(select(coupon_campaigns.c.id).where(
            coupon_campaigns.c.code == values["code"])).first() is not None:
        raise ConflictError(f"campaign code {values['code']} exists", code="duplicate")
    campaign_id = session.execute(insert(coupon_campaigns).values(
        code=values["code"], name=values["name"], business_unit=values["business_unit"],
        kind=values["kind"], currency=currency, **money, repeat=bool(values.get("repeat")),
        per_customer_limit=values.get("per_customer_limit") or 1,
        stacks_with_promotions=bool(values.get("stacks_with_promotions", True)),
        valid_from=valid_from, valid_to=values.get("valid_to"), is_active=True,
        created_at=now, created_by=actor.user_id).returning(coupon_campaigns.c.id)).scalar_one()
    body = public(session.execute(select(coupon_campaigns).where(coupon_campaigns.c.id == campaign_id)).one())
    audit.record(session, actor, "coupon_campaign.create", "coupon_campaign", campaign_id,
                 business_unit=values["business_unit"], details=body)
    events.emit(session, "coupon_campaign.created", "coupon_campaign", campaign_id, body,
                business_unit=values["business_unit"], json_ready=True)
    return body


def load_campaign(session: Session, actor: Principal, campaign_id: int) -> Any:
    """A campaign row inside ``actor``'s unit scope (404 otherwise)."""
    actor.require(*READ_ROLES)
    row = session.execute(select(coupon_campaigns).where(coupon_campaigns.c.id == campaign_id)).first()
    if row is None or not actor.can_see_business_unit(row.business_unit):
        raise not_found("coupon campaign", campaign_id)
    return row


def list_campaigns(session: Session, actor: Principal, page: PageRequest) -> Page[dict[str, Any]]:
    """Campaigns of the caller's unit (group admins: all), newest first."""
    actor.require(*READ_ROLES)
    query = select(coupon_campaigns).order_by(coupon_campaigns.c.id.desc())
    if not actor.is_group_admin:
        query = query.where(coupon_campaigns.c.business_unit == actor.business_unit)
    rows, total = fetch_page(session, query, page)
    return Page.of([public(r) for r in rows], total, page)


def _grant(session: Session, actor: Principal, campaign: Any, dealer_ids: Sequence[int], origin: str,
           now: dt.datetime) -> list[int]:
    """Grant ``campaign`` to the dealer accounts that do not have it yet; returns those."""
    if not dealer_ids:
        return []
    have = set(session.execute(select(coupon_grants.c.dealer_account_id).where(
        coupon_grants.c.campaign_id == campaign.id,
        coupon_grants.c.dealer_account_id.in_(sorted(set(dealer_ids))))).scalars())
    new = sorted(set(dealer_ids) - have)
    if new:
        session.execute(insert(coupon_grants), [
            {"campaign_id": campaign.id, "dealer_account_id": d, "quota": campaign.per_customer_limit,
             "used": 0, "origin": origin[:120], "issued_at": now, "issued_by": actor.user_id}
            for d in new])
        events.emit(session, "coupon.issued", "coupon_campaign", campaign.id,
                    {"campaign_id": campaign.id, "code": campaign.code, "dealer_account_ids": new,
                     "quota": campaign.per_customer_limit, "origin": origin, "issued_at": now},
                    business_unit=campaign.business_unit)
    return new


def issue_campaign(session: Session, actor: Principal, campaign_id: int, *, segment: str | None = None,
                   dealer_account_ids: Sequence[int] = ()) -> dict[str, Any]:
    """Issue a campaign to a segment of its unit, or to a list of its unit's dealer accounts.

    Returns:
        ``{"campaign_id", "issued": [new dealer account ids], "already": n}``.

    Raises:
        ValidationFailedError ``invalid_issue``: neither or both targets, unknown segment,
        accounts outside the campaign's unit.
    """
    actor.require(*WRITE_ROLES)
    campaign = load_campaign(session, actor, campaign_id)
    if (segment is None) == (not dealer_account_ids) or len(dealer_account_ids) > MAX_LIST:
        raise ValidationFailedError(f"issue to either a segment or a list of 1-{MAX_LIST} dealer accounts",
                                    code="invalid_issue")
    if segment is not None:
        if segment not in SEGMENTS:
            raise ValidationFailedError(f"unknown segment {segment!r}", code="invalid_issue")
        targets = list(session.execute(
            select(dealer_accounts.c.id).join(customer_benefits, (
                customer_benefits.c.business_unit == dealer_accounts.c.business_unit)
                & (customer_benefits.c.customer_ref == dealer_accounts.c.customer_ref))
            .where(dealer_accounts.c.business_unit == campaign.business_unit,
                   customer_benefits.c.segment == segment)).scalars())
        origin = f"segment {segment} (issued by user {actor.user_id})"
    else:
        targets = sorted(set(dealer_account_ids))
        found = set(session.execute(select(dealer_accounts.c.id).where(
            dealer_accounts.c.id.in_(targets),
            dealer_accounts.c.business_unit == campaign.business_unit)).scalars())
        if found != set(targets):
            raise ValidationFailedError(
                "dealer accounts not in the campaign's unit: " + ", ".join(map(str, sorted(set(targets) - found))),
                code="invalid_issue", details={"dealer_account_ids": sorted(set(targets) - found)})
        origin = f"list (issued by user {actor.user_id})"
    new = _grant(session, actor, campaign, targets, origin, utcnow())
    result = {"campaign_id": campaign.id, "issued": new, "already": len(set(targets)) - len(new)}
    audit.record(session, actor, "coupon_campaign.issue", "coupon_campaign", campaign.id,
                 business_unit=campaign.business_unit, details={**result, "segment": segment})
    return result


def issue_to_customer(session: Session, actor: Principal, business_unit: str, customer_ref: str,
                      codes: Sequence[str], origin: str, now: dt.datetime) -> int:
    """Issue the unit's active campaigns ``codes`` to a CRM customer's dealer accounts (a
    policy granting them); returns the grants made."""
    dealers = list(session.execute(select(dealer_accounts.c.id).where(
        dealer_accounts.c.business_unit == business_unit,
        dealer_accounts.c.customer_ref == customer_ref)).scalars())
    if not dealers:
        return 0
    campaigns = session.execute(select(coupon_campaigns).where(
        coupon_campaigns.c.code.in_(list(codes)), coupon_campaigns.c.business_unit == business_unit,
        coupon_campaigns.c.is_active.is_(True)).order_by(coupon_campaigns.c.id)).all()
    return sum(len(_grant(session, actor, c, dealers, origin, now)) for c in campaigns)
