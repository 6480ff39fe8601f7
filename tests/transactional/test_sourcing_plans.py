"""Sourcing plans (#16): ``POST /sourcing/plans`` solves a unit's requisition exactly from the
live offers (landed = tier price + the router's per-unit freight), leaves suspended suppliers
out unless the unit holds an override, says why a requisition is infeasible, and ``accept``
turns an optimal plan into one order per supplier, once per key; stale plans and other units
are refused.

A second coal supplier (SUP-3) is added to the standard world for COAL-6000: tiers 905 / 880
from 50 units, MOQ 10, multiple 10, lead time 2 days, 100 t in a yard with handling 5 per t.
SUP-1 sells COAL-6000 at 900 (handling 10 at W-TAIYUAN) and COAL-4500 at 600 (handling 12 at
W-DATONG). No ship-to point: distance 0, freight = handling per unit.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, insert, select, update

from transactional.catalogue.bulk import (
    BulkLoad,
    OfferSpec,
    StockSpec,
    SupplierSpec,
    WarehouseSpec,
    bulk_load,
)
from transactional.db.tables.catalogue import offers, stock
from transactional.db.tables.core import audit_log, outbox_events
from transactional.db.tables.ordering import orders
from transactional.db.tables.planning import sourcing_plans
from transactional.db.tables.supply import supplier_overrides, supplier_suspensions
from transactional.domain.principal import SYSTEM

PATH = "/api/v1/sourcing/plans"
NEED_BY = (dt.date.today() + dt.timedelta(days=5)).isoformat()


@pytest.fixture
def sup3(db) -> int:
    """SUP-3's COAL-6000 offer id."""
    report = db.run_write(lambda s: bulk_load(s, SYSTEM, BulkLoad(
        suppliers=[SupplierSpec("SUP-3", "Yulin Coal Trading")],
        warehouses=[WarehouseSpec("W-YULIN", "Yulin yard", "SUP-3", "Yulin", 38.28, 109.73,
                                  "5", "0.30")],
        offers=[OfferSpec("SUP-3", "COAL-6000", "CNY", 10, [(1, "905"), (50, "880")],
                          order_multiple=10, lead_time_days=2)],
        stock=[StockSpec("W-YULIN", "COAL-6000", 100)])))
    return report.offer_ids[("SUP-3", "COAL-6000")]


def _lines(world, **quantities: int) -> list[dict]:
    return [{"sku_id": world.sku_ids[sku.replace("_", "-")], "quantity": q, "need_by": NEED_BY}
            for sku, q in quantities.items()]


def _plan(client, world, user: str = "buyer_coal", **body) -> dict:
    response = client.post(PATH, json=body, headers=world.headers(user))
    assert response.status_code == 201, response.text
    return response.json()


def _accept(client, world, plan_id: int, key: str, user: str = "buyer_coal"):
    return client.post(f"{PATH}/{plan_id}/accept",
                       headers=world.headers(user, **{"Idempotency-Key": key}))


def test_plan_is_the_exact_cheapest_combination(client, world, db, sup3) -> None:
    plan = _plan(client, world, lines=_lines(world, COAL_6000=60))
    # SUP-3 60 t at tier 2: (880 + 5 freight) x 60 = 53,100 < SUP-1 (900 + 10) x 60 = 54,600
    # < SUP-3 50 + SUP-1 10 = 44,250 + 9,100 = 53,350
    assert (plan["status"], plan["total"], plan["currency"]) == ("optimal", "53100.0000", "CNY")
    assert [(a["supplier_id"], a["offer_id"], a["quantity"], a["unit_price_landed"],
             a["freight_per_unit"]) for a in plan["allocations"]] == [
        ("SUP-3", sup3, 60, 885, "5.0000")]
    assert plan["allocations"][0]["explanation"].startswith("tier 2/2 (>= 50 at 885)")
    assert [(u["supplier_id"], u["reason"]) for u in plan["not_used"]] == [
        ("SUP-1", "dearer: its best unit price 910 >= 885 paid on this line")]
    assert (plan["scores"]["scored"], plan["scores"]["unscored"]) == ({}, ["SUP-1", "SUP-3"])
    assert plan["scores"]["note"].startswith("no supplier score available")
    assert len(plan["input_hash"]) == 64
    again = client.get(f"{PATH}/{plan['id']}", headers=world.headers("finance_coal"))
    assert again.status_code == 200 and again.json()["total"] == "53100.0000"
    with db.read() as s:
        assert s.execute(select(outbox_events.c.event_type).where(
            outbox_events.c.aggregate_type == "sourcing_plan")).scalars().all() == [
            "sourcing_plan.created"]
        assert s.execute(select(audit_log.c.action, audit_log.c.business_unit).where(
            audit_log.c.object_type == "sourcing_plan")).all() == [("sourcing_plan.create", "COAL")]


def test_suspended_supplier_is_left_out_unless_the_unit_holds_an_override(
        client, world, db, sup3) -> None:
    now = dt.datetime.now(dt.UTC)
    db.run_write(lambda s: s.execute(insert(supplier_suspensions).values(
        supplier_id="SUP-3", reason="late deliveries", weakest_metrics=None,
        scorecard_month="2026-10-01", supplier_key=None, snapshot_version="v1", since=now,
        updated_at=now)))
    plan = _plan(client, world, lines=_lines(world, COAL_6000=60))
    assert (plan["status"], plan["total"]) == ("optimal", "54600.0000")
    assert [a["supplier_id"] for a in plan["allocations"]] == ["SUP-1"]
    assert plan["suspended_suppliers"] == {"SUP-3": "late deliveries"}
    assert [(u["offer_id"], u["reason"]) for u in plan["not_used"]] == [
        (sup3, "supplier SUP-3 is on the elimination list")]
    users = world.users
    db.run_write(lambda s: s.execute(insert(supplier_overrides).values(
        supplier_id="SUP-3", business_unit="COAL", reason="sole source", expires_at=now
        + dt.timedelta(days=3), requested_by=users["procurement_coal"].user_id,
        requested_at=now, confirmed_by=users["finance_coal"].user_id, confirmed_at=now)))
    overridden = _plan(client, world, lines=_lines(world, COAL_6000=60))
    assert (overridden["total"], overridden["suspended_suppliers"]) == ("53100.0000", {})
    power = _plan(client, world, "buyer_power", lines=_lines(world, COAL_6000=60))
    assert power["total"] == "54600.0000"  # the override is COAL's only


def test_min_score_filters_on_served_scores_and_never_the_unscored(client, world, db,
                                                                  sup3) -> None:
    from transactional.db.tables.supply import supplier_scores

    db.run_write(lambda s: s.execute(insert(supplier_scores).values(
        supplier_id="SUP-3", overall_score=40.0, snapshot_version="v1",
        updated_at=dt.datetime.now(dt.UTC))))
    plan = _plan(client, world, lines=_lines(world, COAL_6000=60), min_score=50)
    assert (plan["total"], [a["supplier_id"] for a in plan["allocations"]]) == (
        "54600.0000", ["SUP-1"])  # SUP-3 scores 40 < 50; SUP-1 has no score: not filtered
    assert [u["reason"] for u in plan["not_used"]] == ["supplier SUP-3 score 40 < min_score 50"]
    assert (plan["scores"]["scored"], plan["scores"]["unscored"], plan["scores"]["note"]) == (
        {"SUP-3": 40.0}, ["SUP-1"],
        "suppliers without a served score (supplier_scores) are not filtered by min_score")
    unfiltered = _plan(client, world, lines=_lines(world, COAL_6000=60))
    assert unfiltered["total"] == "53100.0000"


def test_infeasible_requisition_is_stored_and_says_why(client, world, sup3) -> None:
    plan = _plan(client, world, lines=_lines(world, COAL_6000=2000))
    assert (plan["status"], plan["total"], plan["allocations"]) == ("infeasible", None, [])
    assert plan["reason"] == (f"line {world.sku_ids['COAL-6000']}: capacity of the usable "
                              "offers 1100 < quantity 2000")
    late = [{"sku_id": world.sku_ids["TILE-600-W"], "quantity": 100,
             "need_by": dt.date.today().isoformat()}]
    tiles = _plan(client, world, lines=late)
    assert tiles["status"] == "infeasible"
    assert tiles["reason"] == (
        f"line SKU {world.sku_ids['TILE-600-W']}: no usable offer (offer "
        f"{world.offer_ids[('SUP-2', 'TILE-600-W')]} (SUP-2): lead time 10 days misses the "
        f"need-by date {dt.date.today().isoformat()})")
    refused = _accept(client, world, plan["id"], "inf")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "plan_not_optimal")


def test_bad_requisitions_get_422(client, world) -> None:
    past = [{"sku_id": world.sku_ids["COAL-6000"], "quantity": 1, "need_by": "2020-01-01"}]
    unknown = [{"sku_id": 999_999, "quantity": 1, "need_by": NEED_BY}]
    twice = _lines(world, COAL_6000=1) * 2
    for lines in (past, unknown, twice, []):
        response = client.post(PATH, json={"lines": lines}, headers=world.headers("buyer_coal"))
        assert response.status_code == 422, response.text
    supplier = client.post(PATH, json={"lines": _lines(world, COAL_6000=1)},
                           headers=world.headers("supplier_1"))
    assert supplier.status_code == 403


def test_accept_places_one_order_per_supplier_once(client, world, db, sup3) -> None:
    plan = _plan(client, world, lines=_lines(world, COAL_6000=60, COAL_4500=10))
    # SUP-3 60 x 885 + SUP-1 10 x (600 + 12) = 53,100 + 6,120
    assert (plan["status"], plan["total"], plan["suppliers_used"]) == (
        "optimal", "59220.0000", ["SUP-1", "SUP-3"])
    first = _accept(client, world, plan["id"], "plan-key")
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["status"] == "accepted"
    assert [(o["supplier_id"], o["total_amount"]) for o in body["orders"]] == [
        ("SUP-1", "6000.0000"), ("SUP-3", "52800.0000")]  # charged at the offers' own prices
    replay = _accept(client, world, plan["id"], "plan-key")
    assert replay.status_code == 200 and replay.json() == body
    other_key = _accept(client, world, plan["id"], "another-key", "procurement_coal")
    assert (other_key.status_code, other_key.json()["error"]["code"]) == (409, "plan_accepted")
    with db.read() as s:
        placed = s.execute(select(orders.c.id, orders.c.supplier_id, orders.c.business_unit)
                           .order_by(orders.c.id)).all()
        assert [(r.supplier_id, r.business_unit) for r in placed] == [
            ("SUP-1", "COAL"), ("SUP-3", "COAL")]
        assert [r.id for r in placed] == body["order_ids"]
        assert s.execute(select(stock.c.reserved).where(
            stock.c.sku_id == world.sku_ids["COAL-6000"],
            stock.c.warehouse_id != world.warehouse_ids["W-TAIYUAN"])).scalar_one() == 60
        events = s.execute(select(outbox_events.c.event_type).where(
            outbox_events.c.aggregate_type == "sourcing_plan")
            .order_by(outbox_events.c.sequence_id)).scalars().all()
        assert events == ["sourcing_plan.created", "sourcing_plan.accepted"]
        assert s.execute(select(func.count()).select_from(audit_log).where(
            audit_log.c.action == "sourcing_plan.accept")).scalar_one() == 1


def test_other_units_get_404(client, world, sup3) -> None:
    plan = _plan(client, world, lines=_lines(world, COAL_6000=60))
    for user in ("buyer_power", "procurement_power", "admin_power", "supplier_1"):
        assert client.get(f"{PATH}/{plan['id']}", headers=world.headers(user)).status_code == 404
    for user in ("buyer_power", "procurement_power"):
        assert _accept(client, world, plan["id"], f"k-{user}", user).status_code == 404
    assert client.get(f"{PATH}/{plan['id']}", headers=world.headers("admin")).status_code == 200


def test_stale_plan_is_refused_with_the_reason(client, world, db, sup3) -> None:
    old = _plan(client, world, lines=_lines(world, COAL_6000=60))
    db.run_write(lambda s: s.execute(update(sourcing_plans).where(sourcing_plans.c.id == old["id"])
                                     .values(created_at=dt.datetime.now(dt.UTC)
                                             - dt.timedelta(minutes=31))))
    refused = _accept(client, world, old["id"], "old")
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "plan_stale")
    assert "31 minutes old" in refused.json()["error"]["message"]
    fresh = _plan(client, world, lines=_lines(world, COAL_6000=60))
    db.run_write(lambda s: s.execute(update(offers).where(offers.c.id == sup3)
                                     .values(version=offers.c.version + 1)))
    changed = _accept(client, world, fresh["id"], "changed")
    assert (changed.status_code, changed.json()["error"]["code"]) == (409, "plan_stale")
    assert changed.json()["error"]["message"].startswith(f"offer(s) {sup3} changed")
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(orders)).scalar_one() == 0


def test_foreign_offer_is_converted_and_freight_follows_the_router(client, world, db) -> None:
    from transactional.accounting import fx

    db.run_write(lambda s: fx.load_rates(s, SYSTEM, [
        {"rate_date": dt.date.today(), "from_currency": "USD", "to_currency": "CNY",
         "rate": "7.1"}], "test"))
    db.run_write(lambda s: bulk_load(s, SYSTEM, BulkLoad(
        suppliers=[SupplierSpec("SUP-4", "Newcastle Coal Exports")],
        warehouses=[WarehouseSpec("W-NEWCASTLE", "Newcastle port", "SUP-4", "Newcastle",
                                  -32.93, 151.78, "0", "0", "USD")],
        offers=[OfferSpec("SUP-4", "COAL-5500", "USD", 1, [(1, "110")])],
        stock=[StockSpec("W-NEWCASTLE", "COAL-5500", 50)])))
    # ship to W-TAIYUAN's own yard: SUP-1 ships from there (0 km, handling 10): landed 810 /
    # 790.50 from 100 t; SUP-4: 110 USD x 7.1 = 781, no freight, 50 t in stock.
    # 150 t: SUP-4 50 x 781 + SUP-1 100 x 790.50 = 39,050 + 79,050 = 118,100
    # (< SUP-1 150 x 790.50 = 118,575)
    plan = _plan(client, world, lines=_lines(world, COAL_5500=150),
                 ship_to={"latitude": 37.87, "longitude": 112.55})
    assert (plan["status"], plan["total"]) == ("optimal", "118100.0000")
    assert sorted((a["supplier_id"], a["quantity"], a["unit_price_landed"], a["currency"],
                   a["freight_per_unit"]) for a in plan["allocations"]) == [
        ("SUP-1", 100, 790.5, "CNY", "10.0000"), ("SUP-4", 50, 781, "USD", "0.0000")]
    accepted = _accept(client, world, plan["id"], "fx")
    assert [(o["supplier_id"], o["total_amount"], o["currency"])
            for o in accepted.json()["orders"]] == [
        ("SUP-1", "78050.0000", "CNY"), ("SUP-4", "5500.0000", "USD")]
