"""Coupons: campaigns issued to a segment or a list, redeemed at placement exactly once (also
when 20 orders race for the one use), reversed on cancellation; every redemption is in the
ledger and in the receivables export (``receivable.adjusted``)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.transactional.benefits_fixtures import (
    CUSTOMER,
    cancel,
    open_dealer,
    place,
    policy_rules,
    segments,
    set_coal_policy,
)
from tests.transactional.factories import World, build_world
from transactional.accounting import ledger
from transactional.benefits.coupons import create_campaign, issue_campaign
from transactional.db.database import Database
from transactional.db.tables.benefits import coupon_grants, coupon_redemptions
from transactional.db.tables.core import outbox_events
from transactional.db.tables.ordering import orders
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.migrations import upgrade_database

D = Decimal
RACERS = 20


def _campaign(db: Database, world: World, code: str, **values) -> int:
    body = {"code": code, "name": code, "business_unit": "COAL", "currency": "CNY", "kind": "amount_off",
            "amount": D(100), **values}
    return db.run_write(lambda s: create_campaign(s, world.users["finance_coal"], body))["id"]


def _adjustments(db: Database) -> list[tuple]:
    with db.read() as session:
        rows = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "receivable.adjusted").order_by(outbox_events.c.sequence_id)).scalars()
        return [(p["adjustment"], p["order_id"], p["amount"], p["customer_ref"], p["campaign_code"]) for p in rows]


def _used(db: Database, campaign_id: int) -> int:
    with db.read() as session:
        return session.execute(select(coupon_grants.c.used).where(coupon_grants.c.campaign_id == campaign_id)).scalar_one()


def test_a_threshold_coupon_is_redeemed_once_reversed_on_cancel_and_exported(db, world, client) -> None:
    dealer = open_dealer(db, world)
    wakeup = _campaign(db, world, "COAL-WAKEUP", kind="threshold", amount=D(200), min_order_amount=D(2000))
    # the policy gives hibernating customers the campaign: applying the segment issues it
    set_coal_policy(db, world, policy_rules(hibernating={"campaigns": ["COAL-WAKEUP"]}))
    segments(db, "a" * 64, 0, [("COAL", CUSTOMER, "hibernating")])
    with db.read() as session:
        grant = session.execute(select(coupon_grants)).one()
    assert (grant.dealer_account_id, grant.quota, grant.used, grant.origin) == (
        dealer, 1, 0, "segment hibernating @ policy v1")

    with pytest.raises(ValidationFailedError, match="threshold"):  # 1 x 900 < 2,000: nothing placed
        place(db, world, "small", coupon="COAL-WAKEUP")
    with pytest.raises(ValidationFailedError, match="not issued to you"):
        place(db, world, "other", quantity=3, coupon="COAL-WAKEUP", username="buyer_coal2")
    first = place(db, world, "o1", quantity=3, coupon="COAL-WAKEUP").order  # 2,700
    assert first["total_amount"] == "2700.0000"  # the supplier's price is unchanged
    with pytest.raises(ConflictError, match="used up"):
        place(db, world, "o2", quantity=3, coupon="COAL-WAKEUP")
    with db.read() as session:
        redemption = session.execute(select(coupon_redemptions)).one()
        assert session.execute(select(orders.c.id)).scalars().all() == [first["id"]]
        assert ledger.entry_lines(session, redemption.journal_entry_id) == [
            {"account": "coupon_funding:CNY", "currency": "CNY", "debit": D("200.0000"), "credit": D(0)},
            {"account": f"receivable_adjustments:{dealer}:CNY", "currency": "CNY", "debit": D(0),
             "credit": D("200.0000")}]
    assert (redemption.order_id, redemption.amount, redemption.status, _used(db, wakeup)) == (
        first["id"], D("200.0000"), "redeemed", 1)

    cancelled = cancel(db, world, first["id"])
    assert cancelled["status"] == "cancelled" and _used(db, wakeup) == 0
    with db.read() as session:
        reversed_ = session.execute(select(coupon_redemptions)).one()
        assert ledger.balances(session, "receivable_adjustments") == {f"receivable_adjustments:{dealer}:CNY": D(0)}
        assert ledger.balances(session, "coupon_funding") == {"coupon_funding:CNY": D(0)}
    assert reversed_.status == "reversed" and reversed_.reversal_entry_id is not None
    again = place(db, world, "o3", quantity=3, coupon="COAL-WAKEUP").order  # the use came back
    assert _adjustments(db) == [
        ("coupon_redemption", first["id"], "-200.0000", CUSTOMER, "COAL-WAKEUP"),
        ("coupon_reversal", first["id"], "200.0000", CUSTOMER, "COAL-WAKEUP"),
        ("coupon_redemption", again["id"], "-200.0000", CUSTOMER, "COAL-WAKEUP")]

    # through the API: the code travels in the order body; the 360 lists coupon and redemptions
    response = client.post("/api/v1/orders", json={"lines": [{"offer_id": world.offer_ids[("SUP-1", "COAL-6000")],
                                                               "quantity": 3}], "coupon_code": "COAL-WAKEUP"},
                           headers=world.headers("buyer_coal", **{"Idempotency-Key": "api-1"}))
    assert (response.status_code, response.json()["error"]["code"]) == (409, "coupon_used_up")
    view = client.get(f"/api/v1/customers/{dealer}/benefits", headers=world.headers("buyer_coal")).json()
    assert [(c["code"], c["quota"], c["used"], c["remaining"]) for c in view["coupons"]] == [("COAL-WAKEUP", 1, 1, 0)]
    assert [(r["order_id"], r["status"]) for r in view["redemptions"]] == [(again["id"], "redeemed"),
                                                                           (first["id"], "reversed")]
    order = client.get(f"/api/v1/orders/{again['id']}/benefits", headers=world.headers("buyer_coal")).json()
    assert (order["terms"]["payment_terms_days"], order["terms"]["segment"], order["terms"]["policy_version"],
            order["coupon"]["code"], order["coupon"]["amount"]) == (30, "hibernating", 1, "COAL-WAKEUP", "200.0000")
    assert client.get(f"/api/v1/orders/{again['id']}/benefits",
                      headers=world.headers("buyer_power")).status_code == 404


def test_campaigns_are_issued_to_a_segment_or_a_list_once(db, world, client) -> None:
    dealer = open_dealer(db, world)
    other = open_dealer(db, world, "buyer_coal2", "DLR-2", "CUST-8")
    segments(db, "a" * 64, 0, [("COAL", CUSTOMER, "at_risk"), ("COAL", "CUST-8", "champions")])
    finance = world.headers("finance_coal")
    created = client.post("/api/v1/coupon-campaigns", json={
        "code": "COAL-10PCT", "name": "10 % off, at most 150", "business_unit": "COAL", "kind": "percent_off",
        "currency": "CNY", "percent": "10", "max_discount": "150", "per_customer_limit": 2}, headers=finance)
    assert created.status_code == 201, created.text
    url = f"/api/v1/coupon-campaigns/{created.json()['id']}/issue"
    first = client.post(url, json={"segment": "at_risk"}, headers=finance).json()
    assert (first["issued"], first["already"]) == ([dealer], 0)
    listed = client.post(url, json={"dealer_account_ids": [dealer, other]}, headers=finance).json()
    assert (listed["issued"], listed["already"]) == ([other], 1)
    for body, code in (({}, 422), ({"segment": "vip"}, 422), ({"dealer_account_ids": [999]}, 422)):
        assert client.post(url, json=body, headers=finance).status_code == code
    assert client.post(url, json={"segment": "at_risk"}, headers=world.headers("buyer_coal")).status_code == 403
    assert client.post(url, json={"segment": "at_risk"}, headers=world.headers("finance_power")).status_code == 404
    bad = client.post("/api/v1/coupon-campaigns", json={
        "code": "BAD", "name": "x", "business_unit": "COAL", "kind": "threshold", "currency": "CNY",
        "amount": "10"}, headers=finance)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "invalid_campaign")

    # percent off with a cap, twice per customer
    assert place(db, world, "p1", quantity=1, coupon="COAL-10PCT").order["id"]  # 90 off 900
    place(db, world, "p2", quantity=2, coupon="COAL-10PCT")  # 150 (cap) off 1,800
    with db.read() as session:
        amounts = session.execute(select(coupon_redemptions.c.amount).order_by(coupon_redemptions.c.id)).scalars()
        assert list(amounts) == [D("90.0000"), D("150.0000")]
    with pytest.raises(ConflictError):
        place(db, world, "p3", coupon="COAL-10PCT")


def _race(db: Database, world: World, campaign_id: int) -> None:
    """RACERS orders of one customer, each naming the one-use coupon, at the same moment."""
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer(n: int) -> None:
        barrier.wait()
        try:
            place(db, world, f"race-{n}", coupon="COAL-ONCE")
            outcome = "placed"
        except ConflictError as error:
            outcome = error.code
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["coupon_used_up"] * (RACERS - 1) + ["placed"]
    assert _used(db, campaign_id) == 1
    with db.read() as session:
        assert len(session.execute(select(coupon_redemptions.c.id)).all()) == 1
        assert len(session.execute(select(orders.c.id)).all()) == 1
    assert [a[0] for a in _adjustments(db)] == ["coupon_redemption"]


def _race_world(db: Database, world: World) -> int:
    dealer = open_dealer(db, world)
    campaign = _campaign(db, world, "COAL-ONCE")
    db.run_write(lambda s: issue_campaign(s, world.users["finance_coal"], campaign, dealer_account_ids=[dealer]))
    return campaign


def test_twenty_concurrent_orders_use_a_coupon_once_on_sqlite(db, world) -> None:
    _race(db, world, _race_world(db, world))


@pytest.mark.postgres
def test_twenty_concurrent_orders_use_a_coupon_once_on_postgres(fresh_pg_url: str) -> None:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=RACERS)
    try:
        world = build_world(db)
        _race(db, world, _race_world(db, world))
    finally:
        db.dispose()
