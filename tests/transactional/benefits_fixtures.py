"""Building blocks of the benefits tests: a dealer linked to ``buyer_coal`` (CRM customer
CUST-7), COAL's policy, segment snapshots, orders placed and cancelled through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.transactional.factories import World
from transactional.benefits.inbound import KIND, apply_customer_segments
from transactional.benefits.policies import set_policy
from transactional.core.idempotency import IdempotentRequest
from transactional.core.inbound import ApplyOutcome, Snapshot, apply_snapshot
from transactional.db.database import Database
from transactional.ordering.lifecycle import transition_order
from transactional.ordering.placement import (
    OrderLineRequest,
    OrderRequest,
    PlacementResult,
    place_order,
)
from transactional.rebates.dealers import create_dealer_account

T0 = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
CUSTOMER = "CUST-7"

DEFAULT = {"payment_terms_days": 30, "credit_limit": "0", "account_manager": False,
           "discount_tier": "standard", "campaigns": []}


def policy_rules(champion_days: int = 60, **segments: dict[str, Any]) -> dict[str, Any]:
    """Default 30 days; champions ``champion_days``, 500,000 credit and an account manager."""
    return {"default": DEFAULT, "segments": {
        "champions": {"payment_terms_days": champion_days, "credit_limit": "500000",
                      "account_manager": True, "discount_tier": "gold"}, **segments}}


def open_dealer(db: Database, world: World, username: str = "buyer_coal", code: str = "DLR-1",
                customer_ref: str = CUSTOMER) -> int:
    """A COAL dealer account for ``username`` with CRM id ``customer_ref``; its id."""
    return db.run_write(lambda s: create_dealer_account(
        s, world.users["admin_coal"], code=code, name=f"{code} trading", business_unit="COAL",
        buyer_user_id=world.users[username].user_id, customer_ref=customer_ref))["id"]


def set_coal_policy(db: Database, world: World, rules: dict[str, Any]) -> dict[str, Any]:
    return db.run_write(lambda s: set_policy(s, world.users["finance_coal"], "COAL", rules, "CNY"))


def segments(db: Database, version: str, hours: int, rows: list[tuple[str, str, str]]) -> ApplyOutcome:
    """Apply a customer_segments version of ``(business_unit, customer_id, segment)`` rows."""
    snapshot = Snapshot(kind=KIND, version=version, produced_at=T0 + dt.timedelta(hours=hours),
                        source=f"gold/customer_segments@v{hours}",
                        rows=[{"business_unit": bu, "customer_id": ref, "customer_name": f"Customer {ref}",
                               "segment": seg, "rfm_cell": "545", "clv": 12345.678} for bu, ref, seg in rows])
    return apply_snapshot(db, snapshot, apply_customer_segments)


def place(db: Database, world: World, key: str, *, quantity: int = 1, coupon: str | None = None,
          username: str = "buyer_coal", sku: tuple[str, str] = ("SUP-1", "COAL-6000"),
          points: int | None = None) -> PlacementResult:
    """Place ``quantity`` units of COAL-6000 (900 CNY each) as ``username`` (paying ``points``)."""
    request = OrderRequest((OrderLineRequest(world.offer_ids[sku], quantity),), coupon_code=coupon,
                           points_to_redeem=points)
    return db.run_write(lambda s: place_order(s, world.users[username], request,
                                              IdempotentRequest(key, f"hash-{key}")))


def cancel(db: Database, world: World, order_id: int, username: str = "buyer_coal") -> dict[str, Any]:
    return db.run_write(lambda s: transition_order(s, world.users[username], order_id, "cancel",
                                                   reason="changed my mind"))
