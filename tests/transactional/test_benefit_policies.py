"""Segment → benefit policies: versioned per unit, applied through the inbound door, and the
payment terms of the *next* order follow a segment or policy change; existing orders keep
theirs. The customer 360 shows segment, benefits and their origin."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import exc, select, text

from tests.transactional.benefits_fixtures import (
    CUSTOMER,
    DEFAULT,
    open_dealer,
    place,
    policy_rules,
    segments,
    set_coal_policy,
)
from transactional.benefits.rules import CouponTerms, coupon_discount, parse_policy
from transactional.db.tables.benefits import customer_benefits, order_terms
from transactional.db.tables.core import audit_log, outbox_events
from transactional.domain.errors import ValidationFailedError

D = Decimal


def _terms(db, order_id: int) -> tuple:
    with db.read() as session:
        row = session.execute(select(order_terms).where(order_terms.c.order_id == order_id)).one()
    return row.payment_terms_days, row.origin, row.segment, row.policy_version


def _events(db, event_type: str) -> list[dict]:
    with db.read() as session:
        return [r.payload for r in session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == event_type).order_by(outbox_events.c.sequence_id))]


def test_a_segment_change_sets_the_terms_of_the_next_order_not_of_existing_ones(db, world) -> None:
    open_dealer(db, world)
    assert set_coal_policy(db, world, policy_rules())["version"] == 1
    first = segments(db, "a" * 64, 0, [("COAL", CUSTOMER, "loyal"), ("COAL", "CUST-8", "lost"),
                                        ("CHEM", "CUST-9", "champions")])  # CHEM: not on the platform
    assert (first.status, first.written, first.removed) == ("applied", 2, 0)
    loyal = place(db, world, "o1").order["id"]
    assert _terms(db, loyal) == (30, "segment", "loyal", 1)

    promoted = segments(db, "b" * 64, 24, [("COAL", CUSTOMER, "champions"), ("COAL", "CUST-8", "lost")])
    assert (promoted.status, promoted.written, promoted.removed) == ("applied", 2, 0)
    champion = place(db, world, "o2").order["id"]
    assert _terms(db, champion) == (60, "segment", "champions", 1)
    assert _terms(db, loyal) == (30, "segment", "loyal", 1)  # placed before: keeps its terms

    # a new policy version re-grants at once; orders placed before keep theirs
    v2 = set_coal_policy(db, world, policy_rules(champion_days=75))
    assert (v2["version"], v2["customers_regranted"]) == (2, 2)  # both now granted by v2
    assert _terms(db, place(db, world, "o3").order["id"]) == (75, "segment", "champions", 2)
    assert _terms(db, champion) == (60, "segment", "champions", 1)

    # a buyer without a dealer account: the global default
    assert _terms(db, place(db, world, "o4", username="buyer_coal2").order["id"]) == (30, "default", None, None)

    # re-applying the same version does nothing; an older one is refused
    assert segments(db, "b" * 64, 24, [("COAL", CUSTOMER, "lost")]).status == "already_applied"
    assert segments(db, "a" * 64, 0, [("COAL", CUSTOMER, "lost")]).status == "stale"
    # the customer leaves the snapshot: its benefits go, its next order gets the default
    gone = segments(db, "c" * 64, 48, [("COAL", "CUST-8", "lost")])
    assert (gone.written, gone.removed) == (1, 1)
    assert _terms(db, place(db, world, "o5").order["id"]) == (30, "default", None, None)

    changes = _events(db, "customer_benefit.changed")
    mine = [e for e in changes if e["customer_ref"] == CUSTOMER]
    assert [(e["segment"], e["payment_terms_days"], e["policy_version"]) for e in mine] == [
        ("loyal", 30, 1), ("champions", 60, 1), ("champions", 75, 2)]
    assert [e["customer_ref"] for e in _events(db, "customer_benefit.removed")] == [CUSTOMER]
    with db.read() as session:
        audits = session.execute(select(audit_log.c.object_id).where(
            audit_log.c.action == "benefit_policy.set").order_by(audit_log.c.id)).scalars().all()
        assert audits == ["COAL@v1", "COAL@v2"]
        lost = session.execute(select(customer_benefits)).one()
        assert (lost.customer_ref, lost.segment, lost.snapshot_version, lost.policy_version,
                lost.payment_terms_days, lost.clv) == ("CUST-8", "lost", "c" * 64, 2, 30, D("12345.6780"))


def test_policies_are_versioned_append_only_and_checked(db, world, client) -> None:
    finance = world.headers("finance_coal")
    url = "/api/v1/benefit-policies/COAL"
    body = {"currency": "CNY", "rules": policy_rules(), "note": "first"}
    created = client.post(url, json=body, headers=finance)
    assert created.status_code == 201, created.text
    assert (created.json()["version"], created.json()["rules"]["segments"]["champions"]["discount_tier"]) == (1, "gold")
    retry = client.post(url, json=body, headers=finance)  # the same document: no new version
    assert (retry.status_code, retry.json()["version"], retry.json()["unchanged"]) == (201, 1, True)
    second = client.post(url, json={**body, "rules": policy_rules(90)}, headers=finance)
    assert second.json()["version"] == 2
    versions = client.get(f"{url}/versions", headers=world.headers("procurement_coal")).json()
    assert [(v["version"], v["rules"]["segments"]["champions"]["payment_terms_days"]) for v in versions] == [
        (2, 90), (1, 60)]
    assert client.get(url, params={"version": 1}, headers=finance).json()["rules"]["default"] == {
        **DEFAULT, "credit_limit": "0.0000"}

    refusals = [
        (world.headers("buyer_coal"), body, 403, "forbidden"),
        (world.headers("finance_power"), body, 404, "not_found"),
        (finance, {**body, "rules": {"default": DEFAULT, "segments": {"vip": {}}}}, 422, "invalid_policy"),
        (finance, {**body, "rules": {"default": {**DEFAULT, "payment_terms_days": 400}}}, 422, "invalid_policy"),
        (finance, {**body, "rules": policy_rules(hibernating={"campaigns": ["NOPE"]})}, 422, "invalid_policy"),
    ]
    for headers, payload, code, error in refusals:
        response = client.post(url, json=payload, headers=headers)
        assert (response.status_code, response.json()["error"]["code"]) == (code, error), response.text
    with pytest.raises(exc.DatabaseError, match="append-only"), db.write() as session:
        session.execute(text("update benefit_policies set currency = 'USD'"))


def test_the_customer_360_shows_segment_benefits_and_their_origin(db, world, client) -> None:
    dealer = open_dealer(db, world)
    set_coal_policy(db, world, policy_rules())
    segments(db, "d" * 64, 0, [("COAL", CUSTOMER, "champions")])
    place(db, world, "o1")
    url = f"/api/v1/customers/{dealer}/benefits"
    body = client.get(url, headers=world.headers("buyer_coal")).json()
    assert (body["customer"]["customer_ref"], body["segment"]) == (CUSTOMER, "champions")
    assert {k: body["benefits"][k] for k in ("payment_terms_days", "credit_limit", "account_manager",
                                              "discount_tier")} == {
        "payment_terms_days": 60, "credit_limit": "500000.0000", "account_manager": True, "discount_tier": "gold"}
    assert {k: body["origin"][k] for k in ("segment", "policy_version", "snapshot_version", "snapshot_source")} == {
        "segment": "champions", "policy_version": 1, "snapshot_version": "d" * 64,
        "snapshot_source": "gold/customer_segments@v0"}
    assert [(o["payment_terms_days"], o["origin"]) for o in body["recent_orders"]] == [(60, "segment")]
    assert client.get(url, headers=world.headers("finance_coal")).status_code == 200
    for other in ("buyer_coal2", "finance_power", "supplier_1"):
        assert client.get(url, headers=world.headers(other)).status_code in (403, 404)
    assert client.get("/api/v1/customers/0/benefits", headers=world.headers("admin")).status_code == 422


def test_policy_and_coupon_rules() -> None:
    default, by_segment = parse_policy(policy_rules(hibernating={"campaigns": ["A", "A", "B"]}))
    assert (default.payment_terms_days, by_segment["hibernating"].campaigns) == (30, ("A", "B"))
    assert by_segment["hibernating"].payment_terms_days == 30 and by_segment["champions"].credit_limit == D(500000)
    with pytest.raises(ValidationFailedError, match="account_manager"):
        parse_policy({"default": {**DEFAULT, "account_manager": "yes"}})
    percent = CouponTerms("percent_off", "CNY", percent=D(10), max_discount=D(150))
    assert coupon_discount(percent, D(900)) == D("90.0000")
    assert coupon_discount(percent, D(9000)) == D("150.0000")  # capped
    once = CouponTerms("threshold", "CNY", amount=D(200), min_order_amount=D(2000))
    assert [coupon_discount(once, D(x)) for x in (1999, 2000, 4500)] == [D(0), D(200), D(200)]
    assert coupon_discount(CouponTerms("amount_off", "CNY", amount=D(500)), D(300)) == D("300.0000")
