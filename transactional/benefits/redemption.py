"""Redeeming a coupon at order placement, exactly once, and reversing it on cancellation.

Redemption runs inside the placement transaction (``benefits/checkout.py``). The customer's
grant is consumed by one conditional update (``used = used + 1 WHERE used < quota``): on
SQLite writers are serialised, on PostgreSQL the second writer waits for the first one's
row lock and then re-checks the condition, so however many orders race for the last use,
exactly one gets it and the others are refused (409 ``coupon_used_up``, nothing placed).

The coupon is the group's (marketing's) money, not the supplier's: the order's price and
the supplier's statement are unchanged; what changes is what the customer owes. Each
redemption posts ``Dr coupon_funding / Cr receivable_adjustments:DLR`` and emits
``receivable.adjusted`` (negative amount) so the unit's ERP reduces the customer's
receivable; a cancellation (or rejection, expiry) posts and emits the reverse and gives the
use back.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from transactional.accounting import postings
from transactional.benefits.coupons import terms_of
from transactional.benefits.rules import coupon_discount, in_window
from transactional.core import events
from transactional.db.tables.benefits import coupon_campaigns, coupon_grants, coupon_redemptions
from transactional.db.tables.rebates import dealer_accounts
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.principal import Principal


def _unavailable(code: str, message: str) -> ValidationFailedError:
    return ValidationFailedError(message, code="coupon_unavailable", details={"coupon_code": code})


def _adjusted(session: Session, kind: str, redemption_id: int, order: dict[str, Any], dealer: Any,
              campaign_code: str, amount: Decimal, entry_id: int, now: dt.datetime) -> None:
    events.emit(session, "receivable.adjusted", "order", order["id"], {
        "adjustment": kind, "redemption_id": redemption_id, "order_id": order["id"],
        "business_unit": order["business_unit"], "dealer_account_id": dealer.id,
        "customer_ref": dealer.customer_ref, "campaign_code": campaign_code,
        "amount": amount, "currency": order["currency"], "journal_entry_id": entry_id,
        "occurred_at": now,
    }, business_unit=order["business_unit"], supplier_id=order["supplier_id"])


def redeem(session: Session, actor: Principal, order: dict[str, Any], dealer: Any, code: str,
           now: dt.datetime) -> dict[str, Any]:
    """Redeem coupon ``code`` on a just-inserted order (``order``: its row values and ``id``).

    Returns:
        ``{"coupon_code", "redemption_id", "amount", "currency", "journal_entry_id"}``.

    Raises:
        ValidationFailedError ``coupon_unavailable`` (unknown, inactive, outside its window,
        another currency, not issued to this customer, not stackable with the order's
        promotions, order below its threshold); ConflictError ``coupon_used_up``.
    """
    campaign = session.execute(select(coupon_campaigns).where(
        coupon_campaigns.c.code == code, coupon_campaigns.c.business_unit == order["business_unit"])).first()
    if campaign is None or not campaign.is_active or not in_window(campaign.valid_from, campaign.valid_to, now):
        raise _unavailable(code, f"coupon {code} is not valid for this unit now")
    if campaign.currency != order["currency"]:
        raise _unavailable(code, f"coupon {code} is in {campaign.currency}, the order in {order['currency']}")
    grant = None if dealer is None else session.execute(select(coupon_grants).where(
        coupon_grants.c.campaign_id == campaign.id, coupon_grants.c.dealer_account_id == dealer.id)).first()
    if grant is None:
        raise _unavailable(code, f"coupon {code} was not issued to you")
    if not campaign.stacks_with_promotions and order["discount_amount"] > 0:
        raise _unavailable(code, f"coupon {code} does not stack with the order's promotions")
    amount = coupon_discount(terms_of(campaign), order["total_amount"])
    if amount <= 0:
        raise _unavailable(code, f"the order does not reach coupon {code}'s threshold "
                                 f"({campaign.min_order_amount} {campaign.currency})")
    taken = session.execute(update(coupon_grants).where(
        coupon_grants.c.id == grant.id, coupon_grants.c.used < coupon_grants.c.quota)
        .values(used=coupon_grants.c.used + 1)).rowcount
    if taken != 1:
        raise ConflictError(f"coupon {code} is used up ({grant.quota} use(s))", code="coupon_used_up",
                            details={"coupon_code": code, "quota": grant.quota})
    entry = postings.coupon_redeemed(session, actor, order["id"], order["business_unit"], order["supplier_id"],
                                     dealer.id, amount, order["currency"])
    redemption_id = session.execute(insert(coupon_redemptions).values(
        grant_id=grant.id, campaign_id=campaign.id, order_id=order["id"], dealer_account_id=dealer.id,
        business_unit=order["business_unit"], amount=amount, currency=order["currency"], status="redeemed",
        redeemed_at=now, journal_entry_id=entry).returning(coupon_redemptions.c.id)).scalar_one()
    _adjusted(session, "coupon_redemption", redemption_id, order, dealer, code, -amount, entry, now)
    return {"coupon_code": code, "redemption_id": redemption_id, "amount": str(amount),
            "currency": order["currency"], "journal_entry_id": entry}


def reverse_on_cancel(session: Session, actor: Principal, order: Any, action: str, reason: str | None,
                      now: dt.datetime) -> dict[str, Any] | None:
    """Lifecycle effect ``coupon.reverse``: give back the coupon use of a cancelled (rejected,
    expired) order, post the reversal and emit ``receivable.adjusted`` (+amount). None when
    the order had no coupon."""
    redemption = session.execute(select(coupon_redemptions).where(
        coupon_redemptions.c.order_id == order.id, coupon_redemptions.c.status == "redeemed")).first()
    if redemption is None:
        return None
    flipped = session.execute(update(coupon_redemptions).where(
        coupon_redemptions.c.id == redemption.id, coupon_redemptions.c.status == "redeemed")
        .values(status="reversed", reversed_at=now)).rowcount
    if flipped != 1:
        return None
    session.execute(update(coupon_grants).where(coupon_grants.c.id == redemption.grant_id)
                    .values(used=coupon_grants.c.used - 1))
    entry = postings.coupon_redeemed(session, actor, order.id, order.business_unit, order.supplier_id,
                                     redemption.dealer_account_id, -redemption.amount, redemption.currency,
                                     entry_type="coupon_reversal")
    session.execute(update(coupon_redemptions).where(coupon_redemptions.c.id == redemption.id)
                    .values(reversal_entry_id=entry))
    code = session.execute(select(coupon_campaigns.c.code).where(
        coupon_campaigns.c.id == redemption.campaign_id)).scalar_one()
    dealer = session.execute(select(dealer_accounts).where(
        dealer_accounts.c.id == redemption.dealer_account_id)).one()
    facts = {"id": order.id, "business_unit": order.business_unit, "supplier_id": order.supplier_id,
             "currency": redemption.currency}
    _adjusted(session, "coupon_reversal", redemption.id, facts, dealer, code, redemption.amount, entry, now)
    return {"coupon_code": code, "redemption_id": redemption.id, "restored": True,
            "amount": str(redemption.amount), "journal_entry_id": entry}
