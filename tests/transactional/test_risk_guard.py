"""The risk guard in the order path (issue #14): split orders held for review with the rules
alone (no model in the registry), ordinary orders not held, the lake's profiles applied through
the inbound door flag prices, quantities and new suppliers, a score above the block threshold
is refused with its reasons, and a review (four eyes) releases or refuses the order, audited
and emitted to the outbox as a label."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.transactional.commerce import place, set_limit
from transactional.core.inbound import Snapshot, apply_snapshot
from transactional.db.tables.catalogue import stock
from transactional.db.tables.core import audit_log, outbox_events
from transactional.db.tables.risk import order_risk, risk_profiles
from transactional.db.tables.supply import supplier_suspensions
from transactional.risk.inbound import KIND, apply_risk_profiles
from transactional.standing.inbound import KIND as LIST
from transactional.standing.inbound import apply_supplier_suspensions

NOW = dt.datetime.now(dt.UTC)


def _coal(world, sku: str = "COAL-6000") -> int:
    return world.offer_ids[("SUP-1", sku)]


def _review(client, world, order_id: int, user: str, outcome: str, reason: str | None = None):
    return client.post(f"/api/v1/risk/reviews/{order_id}", json={"outcome": outcome, "reason": reason},
                       headers=world.headers(user))


def _split(client, world) -> tuple[dict, dict, dict]:
    """270,000 + 180,000 + 90,000 CNY to SUP-1 within minutes: each under COAL's 500,000 limit,
    together 540,000."""
    first = place(client, world, _coal(world), 300, "s-1")
    second = place(client, world, _coal(world, "COAL-4500"), 300, "s-2")
    third = place(client, world, _coal(world), 100, "s-3")
    return first, second, third


def test_split_orders_are_held_for_review_by_the_rules_when_no_model_is_registered(client, world) -> None:
    first, second, third = _split(client, world)
    assert (first["status"], second["status"]) == ("placed", "placed")  # ordinary orders: not held
    assert first["risk"] == {"score": 0.0, "level": "low", "decision": "allow", "model_version": "rules",
                             "profile_version": None, "reasons": [], "review": None}
    assert third["status"] == "pending_review" and third["approval"] is None
    risk = third["risk"]
    assert (risk["score"], risk["level"], risk["decision"], risk["model_version"]) == (0.7, "high", "review", "rules")
    assert [r["code"] for r in risk["reasons"]] == ["split"]
    assert risk["reasons"][0]["text"] == (
        f"possible split order: 3 orders to SUP-1 within 24 h, each within the 500,000 CNY approval limit, "
        f"together 540,000 CNY (earlier: #{first['id']}, #{second['id']})")
    again = client.get(f"/api/v1/orders/{third['id']}", headers=world.headers("buyer_coal")).json()
    assert again["status"] == "pending_review" and again["risk"] == risk
    queue = client.get("/api/v1/risk/reviews", headers=world.headers("finance_coal")).json()
    assert [o["id"] for o in queue["items"]] == [third["id"]]
    assert client.get("/api/v1/risk/reviews", headers=world.headers("buyer_coal")).status_code == 403
    # another buyer of the unit is not the same buyer: no split
    other = place(client, world, _coal(world), 100, "s-4", buyer="buyer_coal2")
    assert other["status"] == "placed" and other["risk"]["reasons"] == []


def test_a_cleared_review_releases_the_order_four_eyes_audited_and_emitted(client, world, db) -> None:
    *_, held = _split(client, world)
    own = place(client, world, _coal(world), 100, "p-1", buyer="procurement_coal")
    assert own["status"] == "placed"  # the procurement user has no split of their own
    assert _review(client, world, held["id"], "buyer_coal", "cleared").status_code == 403
    assert _review(client, world, held["id"], "finance_power", "cleared").status_code == 404
    cleared = _review(client, world, held["id"], "procurement_coal", "cleared", "called the plant manager")
    assert cleared.status_code == 200, cleared.text
    body = cleared.json()
    assert body["status"] == "placed"
    assert body["risk"]["review"]["outcome"] == "cleared"
    assert body["risk"]["review"]["decided_by"] == world.users["procurement_coal"].user_id
    again = _review(client, world, held["id"], "procurement_coal", "cleared")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "illegal_transition")
    with db.read() as session:
        event = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "order.risk_reviewed")).scalar_one()
        audited = session.execute(select(audit_log.c.details).where(
            audit_log.c.action == "order.risk_review")).scalar_one()
    assert (event["order_id"], event["outcome"], event["is_fraud"], event["action"]) == (
        held["id"], "cleared", False, "release")
    assert event["verdict"]["decision"] == "review" and event["verdict"]["reasons"][0]["code"] == "split"
    assert audited == {"outcome": "cleared", "reason": "called the plant manager", "action": "release"}


def test_procurement_cannot_review_its_own_order(client, world) -> None:
    for key, quantity in (("o-1", 300), ("o-2", 300)):
        held = place(client, world, _coal(world), quantity, key, buyer="procurement_coal")
    assert held["status"] == "pending_review"
    refused = _review(client, world, held["id"], "procurement_coal", "cleared")
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "separation_of_duties")
    assert _review(client, world, held["id"], "finance_coal", "cleared").json()["status"] == "placed"


def test_confirmed_fraud_refuses_the_order_releases_stock_and_becomes_a_label(client, world, db) -> None:
    *_, held = _split(client, world)
    missing = _review(client, world, held["id"], "finance_coal", "confirmed_fraud")
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "reason_required")
    refused = _review(client, world, held["id"], "finance_coal", "confirmed_fraud", "split to dodge approval")
    assert refused.status_code == 200 and refused.json()["status"] == "rejected"
    with db.read() as session:
        reserved = session.execute(select(stock.c.reserved).where(
            stock.c.sku_id == world.sku_ids["COAL-6000"])).scalar_one()
        event = session.execute(select(outbox_events.c.payload, outbox_events.c.business_unit).where(
            outbox_events.c.event_type == "order.risk_reviewed")).one()
        stored = session.execute(select(order_risk.c.review_outcome, order_risk.c.review_reason).where(
            order_risk.c.order_id == held["id"])).one()
    assert reserved == 300  # the first order's; the refused one's 100 t are free again
    assert (event.payload["is_fraud"], event.payload["reason"], event.business_unit) == (
        True, "split to dodge approval", "COAL")
    assert tuple(stored) == ("confirmed_fraud", "split to dodge approval")


def test_a_held_order_above_the_limit_goes_on_to_its_approval_when_cleared(client, world, db) -> None:
    coal6000 = world.sku_ids["COAL-6000"]
    apply_snapshot(db, _profiles("a" * 64, 0, [
        {"subject": f"sku:{coal6000}", "scope": "sku", "sku_id": coal6000, "currency": "CNY", "order_count": 40,
         "unit_price_median": "620.00"},
        {"subject": "supplier:SUP-1", "scope": "supplier", "supplier_id": "SUP-1", "order_count": 300,
         "first_order_at": NOW - dt.timedelta(days=700)}]), apply_risk_profiles)
    held = place(client, world, _coal(world), 700, "a-1")  # 630,000 CNY: above the limit, and overpriced
    assert held["status"] == "pending_review" and held["approval"]["status"] == "pending"
    assert [r["code"] for r in held["risk"]["reasons"]] == ["price_market"]
    assert client.post(f"/api/v1/orders/{held['id']}/approve",
                       headers=world.headers("procurement_coal")).status_code == 409  # review first
    cleared = _review(client, world, held["id"], "finance_coal", "cleared", "long-term contract price")
    assert cleared.json()["status"] == "pending_approval"
    approved = client.post(f"/api/v1/orders/{held['id']}/approve", headers=world.headers("procurement_coal"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def _profiles(version: str, hours: int, rows: list[dict]) -> Snapshot:
    return Snapshot(kind=KIND, version=version, produced_at=NOW - dt.timedelta(hours=48 - hours),
                    source=f"gold/risk_profiles@v{hours}", rows=rows)


def test_profiles_from_the_lake_flag_price_quantity_and_a_new_supplier(client, world, db) -> None:
    coal6000 = world.sku_ids["COAL-6000"]
    rows = [
        {"subject": f"sku:{coal6000}", "scope": "sku", "sku_id": coal6000, "currency": "CNY", "order_count": 40,
         "unit_price_median": "620.00", "quantity_median": 30.0, "quantity_p95": 80.0},
        {"subject": f"bu_sku:COAL:{coal6000}", "scope": "bu_sku", "business_unit": "COAL", "sku_id": coal6000,
         "currency": "CNY", "order_count": 12, "quantity_median": 10.0, "quantity_p95": 20.0},
        {"subject": "supplier:SUP-1", "scope": "supplier", "supplier_id": "SUP-1", "order_count": 300,
         "first_order_at": NOW - dt.timedelta(days=700)},
        {"subject": "supplier:SUP-2", "scope": "supplier", "supplier_id": "SUP-2", "order_count": 2,
         "first_order_at": NOW - dt.timedelta(days=10)},
        {"subject": "bu_supplier:COAL:SUP-1", "scope": "bu_supplier", "business_unit": "COAL",
         "supplier_id": "SUP-1", "currency": "CNY", "order_count": 25, "amount_median": "9000", "amount_p95": "15000"},
    ]
    first = apply_snapshot(db, _profiles("a" * 64, 0, rows), apply_risk_profiles)
    assert (first.status, first.written, first.removed) == ("applied", 5, 0)
    assert apply_snapshot(db, _profiles("a" * 64, 0, rows), apply_risk_profiles).status == "already_applied"

    usual = place(client, world, _coal(world, "COAL-4500"), 10, "h-1")  # no profile for COAL-4500
    assert usual["risk"]["reasons"] == [] and usual["risk"]["profile_version"] == "a" * 64
    held = place(client, world, _coal(world), 70, "h-2")  # 900 vs median 620; 70 t vs p95 20; 63,000 vs p95 15,000
    assert held["status"] == "pending_review"
    assert [r["code"] for r in held["risk"]["reasons"]] == ["price_market", "quantity_history", "amount_history"]
    assert held["risk"]["score"] == 0.892 and held["risk"]["model_version"] == "rules"
    assert held["risk"]["reasons"][0]["text"] == (
        f"unit price 900.00 CNY of SKU {coal6000} is 45% above the market median 620.00")

    set_limit(client, world, "COAL", "300000")
    new = place(client, world, world.offer_ids[("SUP-2", "TILE-600-W")], 4000, "n-1")  # 164,000 CNY
    assert new["status"] == "pending_review"
    assert [r["code"] for r in new["risk"]["reasons"]] == ["new_supplier"]
    small = place(client, world, world.offer_ids[("SUP-2", "TILE-600-W")], 50, "n-2")  # second order: known
    assert small["risk"]["reasons"] == []

    # the next version replaces the profiles whole: the price history is gone
    second = apply_snapshot(db, _profiles("b" * 64, 24, rows[2:4]), apply_risk_profiles)
    assert (second.status, second.written, second.removed) == ("applied", 2, 3)
    with db.read() as session:
        assert sorted(session.execute(select(risk_profiles.c.subject, risk_profiles.c.snapshot_version)).all()) == [
            ("supplier:SUP-1", "b" * 64), ("supplier:SUP-2", "b" * 64)]
    assert place(client, world, _coal(world), 70, "h-3")["risk"]["reasons"] == []


def test_a_malformed_profile_snapshot_is_refused_whole(db) -> None:
    from transactional.domain.errors import ValidationFailedError

    with pytest.raises(ValidationFailedError, match="malformed"):
        apply_snapshot(db, _profiles("c" * 64, 0, [{"subject": "sku:1", "scope": "supplier", "order_count": 1}]),
                       apply_risk_profiles)
    with db.read() as session:
        assert session.execute(select(risk_profiles.c.subject)).all() == []


@pytest.fixture
def strict_client(tx_settings):
    """The API with a block threshold the split rule alone reaches (0.7 >= 0.6)."""
    from fastapi.testclient import TestClient

    from transactional.main import create_app

    settings = tx_settings.model_copy(deep=True)
    settings.risk.block_threshold = 0.6
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_score_above_the_block_threshold_is_refused_with_its_reasons(strict_client, world, db) -> None:
    _first, _second = (place(strict_client, world, _coal(world), 300, "b-1"),
                       place(strict_client, world, _coal(world, "COAL-4500"), 300, "b-2"))
    refused = strict_client.post("/api/v1/orders", json={"lines": [{"offer_id": _coal(world), "quantity": 100}]},
                                 headers=world.headers("buyer_coal", **{"Idempotency-Key": "b-3"}))
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "risk_blocked" and error["message"].startswith(
        "the order was refused by the risk guard: possible split order: 3 orders")
    assert error["details"]["risk"]["decision"] == "block"
    assert [r["code"] for r in error["details"]["risk"]["reasons"]] == ["split"]
    with db.read() as session:  # nothing of it was kept
        assert session.execute(select(order_risk.c.order_id)).scalars().all().__len__() == 2
        assert session.execute(select(stock.c.reserved).where(
            stock.c.sku_id == world.sku_ids["COAL-6000"])).scalar_one() == 300


def test_the_rules_alone_velocity_is_weak_and_noisy_or_adds_up() -> None:
    from decimal import Decimal as D

    from transactional.core.policy import RiskPolicy
    from transactional.risk.rules import (
        LineFacts,
        OrderFacts,
        RecentOrder,
        evaluate,
        rule_score,
        velocity_cap,
    )

    policy = RiskPolicy(velocity_max=5)
    base = OrderFacts(business_unit="COAL", supplier_id="SUP-1", currency="CNY", amount=D(1000),
                      amount_in_limit=D(1000), limit=D(500000), limit_currency="CNY",
                      lines=[LineFacts(1, 1, D(1000))], now=NOW)
    assert evaluate(base, policy) == []
    burst = evaluate(OrderFacts(**{**base.__dict__, "velocity_count": 5}), policy)
    assert [(r.code, r.text) for r in burst] == [
        ("velocity", "velocity burst: 6 orders by this buyer within 10 min (more than 5)")]
    assert policy.decide(rule_score(burst)) == "allow"  # a burst alone is not enough
    # placement counts earlier orders only up to velocity_cap (6 here): a count that reached it says "at least"
    assert velocity_cap(policy) == 6
    capped = evaluate(OrderFacts(**{**base.__dict__, "velocity_count": 6}), policy)
    assert [r.text for r in capped] == ["velocity burst: at least 7 orders by this buyer within 10 min (more than 5)"]
    split = [RecentOrder(7, "SUP-1", D(499500), NOW - dt.timedelta(hours=2))]
    both = evaluate(OrderFacts(**{**base.__dict__, "velocity_count": 5, "recent": split}), policy)
    assert [r.code for r in both] == ["split", "velocity"] and rule_score(both) == 0.79
    stale = [RecentOrder(7, "SUP-1", D(499500), NOW - dt.timedelta(hours=25))]  # outside the window
    assert evaluate(OrderFacts(**{**base.__dict__, "recent": stale}), policy) == []


LISTED = "on_time_delivery_rate 0.61 vs peer median 0.93 (score 4)"


def _eliminate(db, *supplier_ids: str) -> str:
    """Apply an elimination list with ``supplier_ids``; returns SUP-1's ``since`` as a day."""
    rows = [{"supplier_id": s, "reason": LISTED, "weakest_metrics": LISTED, "scorecard_month": dt.date(2026, 10, 1),
             "supplier_key": f"SUP-{s}"} for s in supplier_ids]
    apply_snapshot(db, Snapshot(kind=LIST, version="e" * 64, produced_at=NOW - dt.timedelta(hours=1),
                                source="gold/supplier_elimination_snapshot@v1", rows=rows), apply_supplier_suspensions)
    with db.read() as session:
        since = session.execute(select(supplier_suspensions.c.since)
                                .where(supplier_suspensions.c.supplier_id == "SUP-1")).scalar_one()
    return f"{since:%Y-%m-%d}"


def test_an_order_to_an_eliminated_supplier_is_held_unless_the_unit_overrides_it(client, world, db) -> None:
    since = _eliminate(db, "SUP-1")
    held = place(client, world, _coal(world), 10, "e-1")  # enforcement off: placed, but held
    assert held["status"] == "pending_review"
    risk = held["risk"]
    assert (risk["score"], risk["level"], risk["decision"], risk["model_version"]) == (0.6, "high", "review", "rules")
    assert risk["reasons"] == [{"code": "eliminated_supplier", "text": (
        f"SUP-1 is on the elimination list since {since} (no override for COAL): {LISTED}")}]
    # another supplier is not on the list: not held
    assert place(client, world, world.offer_ids[("SUP-2", "TILE-600-W")], 50, "e-2")["risk"]["reasons"] == []
    # a confirmed override for COAL lifts the flag for COAL's buyers only
    body = {"reason": "sole qualified source until the tender closes",
            "expires_at": (NOW + dt.timedelta(days=30)).isoformat()}
    asked = client.post("/api/v1/suppliers/SUP-1/overrides", json=body, headers=world.headers("procurement_coal"))
    assert asked.status_code == 201, asked.text
    assert client.post(f"/api/v1/suppliers/SUP-1/overrides/{asked.json()['id']}/confirm",
                       headers=world.headers("finance_coal")).status_code == 200
    overridden = place(client, world, _coal(world), 10, "e-3")
    assert (overridden["status"], overridden["risk"]["decision"], overridden["risk"]["reasons"]) == (
        "placed", "allow", [])
    power = place(client, world, _coal(world), 10, "e-4", buyer="buyer_power")
    assert power["status"] == "pending_review"
    assert [r["code"] for r in power["risk"]["reasons"]] == ["eliminated_supplier"]


@pytest.fixture
def enforcing_client(tx_settings):
    """The API with ``OLTP__ENFORCE_ELIMINATION`` on."""
    from fastapi.testclient import TestClient

    from transactional.main import create_app

    settings = tx_settings.model_copy(deep=True)
    settings.oltp.enforce_elimination = True
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_with_enforcement_on_the_order_is_refused_before_it_is_scored(enforcing_client, world, db) -> None:
    _eliminate(db, "SUP-1")
    refused = enforcing_client.post("/api/v1/orders", json={"lines": [{"offer_id": _coal(world), "quantity": 10}]},
                                    headers=world.headers("buyer_coal", **{"Idempotency-Key": "x-1"}))
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "supplier_suspended")
    assert "risk" not in refused.json()["error"]["details"]
    with db.read() as session:
        assert session.execute(select(order_risk.c.order_id)).all() == []


def test_the_elimination_weight_is_a_setting_and_alone_holds_but_does_not_block() -> None:
    from decimal import Decimal as D

    from infra.settings import Settings
    from transactional.core.policy import RiskPolicy
    from transactional.risk.rules import Elimination, LineFacts, OrderFacts, evaluate, rule_score

    listed = OrderFacts(business_unit="COAL", supplier_id="SUP-1", currency="CNY", amount=D(1000),
                        amount_in_limit=D(1000), limit=D(500000), limit_currency="CNY",
                        lines=[LineFacts(1, 1, D(1000))], now=NOW,
                        elimination=Elimination(LISTED, dt.datetime(2026, 12, 1, 6, tzinfo=dt.UTC), "e" * 64))
    default = RiskPolicy()
    reasons = evaluate(listed, default)
    assert [(r.code, r.text, r.weight) for r in reasons] == [("eliminated_supplier", (
        f"SUP-1 is on the elimination list since 2026-12-01 (no override for COAL): {LISTED}"), 0.6)]
    assert default.decide(rule_score(reasons)) == "review"
    assert evaluate(OrderFacts(**{**listed.__dict__, "elimination": None}), default) == []
    settings = Settings.model_validate({"risk": {"eliminated_supplier_weight": 0.3}})
    lighter = RiskPolicy.from_settings(settings)
    assert lighter.eliminated_supplier_weight == 0.3
    assert lighter.decide(rule_score(evaluate(listed, lighter))) == "allow"
    with pytest.raises(ValueError, match="eliminated_supplier_weight"):
        Settings.model_validate({"risk": {"eliminated_supplier_weight": 1.5}})


@pytest.mark.postgres
@pytest.mark.parametrize("fast_path", [True, False], ids=["fast-path", "sqlalchemy"])
def test_the_look_back_reads_every_fact_in_one_statement_on_postgres(fresh_pg_url, fast_path) -> None:
    from decimal import Decimal as D

    from tests.transactional.factories import build_world
    from transactional.core.idempotency import IdempotentRequest
    from transactional.core.policy import CommercePolicy, RiskPolicy
    from transactional.db.database import Database
    from transactional.db.types import utcnow
    from transactional.migrations import upgrade_database
    from transactional.ordering import screening
    from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order

    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=2, fast_path=fast_path)
    try:
        world = build_world(db)
        coal6000, buyer = world.sku_ids["COAL-6000"], world.users["buyer_coal"]
        apply_snapshot(db, _profiles("a" * 64, 0, [
            {"subject": f"sku:{coal6000}", "scope": "sku", "sku_id": coal6000, "currency": "CNY", "order_count": 40,
             "unit_price_median": "620.00", "quantity_median": 30.0, "quantity_p95": 80.0},
            {"subject": "bu_supplier:COAL:SUP-1", "scope": "bu_supplier", "business_unit": "COAL",
             "supplier_id": "SUP-1", "currency": "CNY", "order_count": 25, "amount_median": "9000",
             "amount_p95": "15000"}]), apply_risk_profiles)
        policy = CommercePolicy(risk=RiskPolicy(velocity_max=2))
        for key in ("a", "b", "c", "d"):
            request = OrderRequest((OrderLineRequest(world.offer_ids[("SUP-1", "COAL-6000")], 10),))
            db.run_write(lambda s, key=key, request=request: place_order(s, buyer, request, IdempotentRequest(key, key),
                                                                        policy=policy))
        facts, version = db.run_write(lambda s: screening.gather(
            s, buyer, "SUP-1", "CNY", D(9000), utcnow(), [(coal6000, 10, D(900))], policy))
    finally:
        db.dispose()
    assert version == "a" * 64
    assert facts.velocity_count == 3  # four earlier orders, counted up to velocity_max + 1
    assert [o.amount for o in facts.recent] == [D("9000.0000")] * 4  # all four, newest first
    assert (facts.limit, facts.limit_currency, facts.elimination) == (D(500000), "CNY", None)
    assert sorted(facts.profiles) == ["bu_supplier:COAL:SUP-1", f"sku:{coal6000}"]
    assert facts.profiles["bu_supplier:COAL:SUP-1"].amount_p95 == D(15000)
    assert facts.profiles[f"sku:{coal6000}"].unit_price_median == D("620.00")
