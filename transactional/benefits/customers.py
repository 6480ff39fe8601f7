"""Who the customer is, and what it gets: the customer 360 of benefits.

A platform customer is a dealer account (``rebates/dealers.py``): linked to one buyer user,
or, with no user, standing for the whole unit buying as a dealer. Its ``customer_ref`` is the
CRM customer id, the key of the lake's segments. A buyer placing an order is the customer of
the dealer account linked to it, else of its unit's unit-level dealer account (lowest id),
else nobody (global default terms, no coupons).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from transactional.benefits import points
from transactional.core.inbound import current_snapshot
from transactional.core.jsonable import jsonable
from transactional.db.fastpath import HotStatement
from transactional.db.tables.benefits import (
    coupon_campaigns,
    coupon_grants,
    coupon_redemptions,
    customer_benefits,
    order_terms,
)
from transactional.db.tables.rebates import dealer_accounts
from transactional.db.types import utcnow
from transactional.domain.principal import Principal, Role, not_found

KIND = "customer_segments"
STAFF = (Role.ADMIN, Role.PROCUREMENT, Role.FINANCE)
RECENT_ORDERS = 20

# order hot path: the buyer's own account first, then the unit-level one
_CUSTOMER = HotStatement(
    select(dealer_accounts.c.id, dealer_accounts.c.business_unit, dealer_accounts.c.customer_ref,
           customer_benefits.c.segment, customer_benefits.c.payment_terms_days,
           customer_benefits.c.credit_limit, customer_benefits.c.currency,
           customer_benefits.c.policy_version, customer_benefits.c.snapshot_version)
    .outerjoin(customer_benefits, (customer_benefits.c.business_unit == dealer_accounts.c.business_unit)
               & (customer_benefits.c.customer_ref == dealer_accounts.c.customer_ref))
    .where(dealer_accounts.c.business_unit == bindparam("bu"),
           (dealer_accounts.c.buyer_user_id == bindparam("user")) | dealer_accounts.c.buyer_user_id.is_(None))
    .order_by(dealer_accounts.c.buyer_user_id.is_(None), dealer_accounts.c.id).limit(1)
)


def customer_of(session: Session, actor: Principal) -> Any:
    """The dealer account ``actor`` buys as, with its benefits (outer-joined), or None."""
    if actor.business_unit is None:
        return None
    return _CUSTOMER.execute(session, {"bu": actor.business_unit, "user": actor.user_id}).first()


def _load(session: Session, actor: Principal, dealer_id: int) -> Any:
    row = session.execute(select(dealer_accounts).where(dealer_accounts.c.id == dealer_id)).first()
    visible = row is not None and (
        (actor.role in STAFF and actor.can_see_business_unit(row.business_unit))
        or (actor.role is Role.BUYER and row.buyer_user_id == actor.user_id))
    if not visible:
        raise not_found("customer", dealer_id)
    return row


def customer_benefits_360(session: Session, actor: Principal, dealer_id: int) -> dict[str, Any]:
    """A customer's segment, benefits and their origin, its coupons and recent order terms.

    Visible to the unit's staff (admins, procurement, finance; group admins: all) and to the
    buyer linked to the account; anyone else gets 404.
    """
    dealer = _load(session, actor, dealer_id)
    benefit = None if dealer.customer_ref is None else session.execute(select(customer_benefits).where(
        customer_benefits.c.business_unit == dealer.business_unit,
        customer_benefits.c.customer_ref == dealer.customer_ref)).first()
    snapshot = current_snapshot(session, KIND)
    coupons = session.execute(
        select(coupon_grants, coupon_campaigns.c.code, coupon_campaigns.c.name, coupon_campaigns.c.kind,
               coupon_campaigns.c.valid_to, coupon_campaigns.c.is_active)
        .join(coupon_campaigns, coupon_campaigns.c.id == coupon_grants.c.campaign_id)
        .where(coupon_grants.c.dealer_account_id == dealer_id).order_by(coupon_grants.c.id)).all()
    redemptions = session.execute(select(coupon_redemptions).where(
        coupon_redemptions.c.dealer_account_id == dealer_id).order_by(coupon_redemptions.c.id.desc())
        .limit(RECENT_ORDERS)).all()
    orders = session.execute(select(order_terms).where(order_terms.c.dealer_account_id == dealer_id)
                             .order_by(order_terms.c.order_id.desc()).limit(RECENT_ORDERS)).all()
    return jsonable({
        "customer": {k: dealer._mapping[k] for k in ("id", "code", "name", "business_unit", "buyer_user_id",
                                                       "customer_ref")},
        "segment": benefit.segment if benefit else None,
        "benefits": None if benefit is None else {
            k: benefit._mapping[k] for k in ("payment_terms_days", "credit_limit", "currency", "account_manager",
                                             "discount_tier", "campaigns", "rfm_cell", "clv", "granted_at")},
        "origin": None if benefit is None else {
            "segment": benefit.segment, "policy_version": benefit.policy_version,
            "snapshot_version": benefit.snapshot_version,
            "snapshot_source": snapshot.source if snapshot else None,
            "snapshot_age_seconds": round(snapshot.age(utcnow()).total_seconds(), 1) if snapshot else None},
        "coupons": [{"campaign_id": c.campaign_id, "code": c.code, "name": c.name, "kind": c.kind,
                     "quota": c.quota, "used": c.used, "remaining": c.quota - c.used, "origin": c.origin,
                     "issued_at": c.issued_at, "valid_to": c.valid_to, "is_active": c.is_active}
                    for c in coupons],
        "redemptions": [{k: r._mapping[k] for k in ("id", "order_id", "campaign_id", "amount", "currency",
                                                    "status", "redeemed_at", "reversed_at")}
                        for r in redemptions],
        "recent_orders": [{k: o._mapping[k] for k in ("order_id", "payment_terms_days", "origin", "segment",
                                                      "policy_version", "recorded_at")} for o in orders],
        "points": points.summary(session, dealer_id, utcnow()),
    })


def order_benefits(session: Session, order_id: int) -> dict[str, Any]:
    """The payment terms an order was placed on and its coupon (the caller checked that the
    order is visible)."""
    terms = session.execute(select(order_terms).where(order_terms.c.order_id == order_id)).first()
    coupon = session.execute(
        select(coupon_redemptions, coupon_campaigns.c.code)
        .join(coupon_campaigns, coupon_campaigns.c.id == coupon_redemptions.c.campaign_id)
        .where(coupon_redemptions.c.order_id == order_id)).first()
    return jsonable({
        "order_id": order_id,
        "terms": None if terms is None else {k: terms._mapping[k] for k in (
            "payment_terms_days", "origin", "segment", "policy_version", "snapshot_version", "dealer_account_id",
            "recorded_at")},
        "coupon": None if coupon is None else {k: coupon._mapping[k] for k in (
            "code", "amount", "currency", "status", "redeemed_at", "reversed_at", "journal_entry_id")},
    })
