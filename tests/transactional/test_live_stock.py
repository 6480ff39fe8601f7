"""Live stock (#18): a count sets on-hand and keeps the reservations of open orders; a count
below them records a discrepancy naming the orders; the same observation twice changes
nothing; a late observation never rolls stock back; the lake's snapshot and the API
(``inventory.observed``) apply the same domain function."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.transactional.factories import order_body
from transactional.core.inbound import Snapshot, apply_snapshot
from transactional.db.tables.catalogue import stock, stock_adjustments
from transactional.db.tables.supply import stock_discrepancies
from transactional.inventory.inbound import KIND, apply_stock_observations

T0 = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


def _stock(db, world, warehouse: str = "W-TAIYUAN", sku: str = "COAL-5500") -> tuple[int, int]:
    with db.read() as session:
        row = session.execute(select(stock.c.available, stock.c.reserved).where(
            stock.c.warehouse_id == world.warehouse_ids[warehouse], stock.c.sku_id == world.sku_ids[sku])).one()
    return row.available, row.reserved


def _counts(db) -> list[tuple]:
    with db.read() as session:
        return [tuple(r) for r in session.execute(
            select(stock_adjustments.c.delta, stock_adjustments.c.reason)
            .where(stock_adjustments.c.reason == "count_correction").order_by(stock_adjustments.c.id))]


def _observation(world, on_hand: int, minutes: int, oid: str, warehouse: str = "W-TAIYUAN",
                 sku: str = "COAL-5500") -> dict:
    return {"observation_id": oid, "warehouse_id": world.warehouse_ids[warehouse], "sku_id": world.sku_ids[sku],
            "on_hand": on_hand, "observed_at": (T0 + dt.timedelta(minutes=minutes)).isoformat(),
            "source": "iot:scale-1"}


def _report(client, world, *observations: dict, user: str = "supplier_1"):
    return client.post("/api/v1/inventory/observations", json={"observations": list(observations)},
                       headers=world.headers(user))


def _order_350(client, world) -> int:
    """350 t shipped to Datong: Datong's 200 and 150 of Taiyuan's 300 reserved."""
    body = order_body(world.offer_ids[("SUP-1", "COAL-5500")], 350,
                      ship_to={"address": "Datong plant", "latitude": 40.0, "longitude": 113.0})
    response = client.post("/api/v1/orders", json=body, headers=world.headers("buyer_coal", **{"Idempotency-Key": "o"}))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def test_a_count_lowers_available_without_touching_reservations_and_replays_change_nothing(client, world, db) -> None:
    _order_350(client, world)
    assert _stock(db, world) == (150, 150)
    first = _report(client, world, _observation(world, 250, 0, "scale-1:0600"))
    assert first.status_code == 200, first.text
    [outcome] = first.json()
    assert (outcome["status"], outcome["available"], outcome["reserved"], outcome["delta"],
            outcome["discrepancy_id"]) == ("applied", 100, 150, -50, None)
    assert _stock(db, world) == (100, 150)
    again = _report(client, world, _observation(world, 250, 0, "scale-1:0600")).json()
    assert (again[0]["status"], again[0]["available"]) == ("already_applied", 100)
    assert _stock(db, world) == (100, 150) and _counts(db) == [(-50, "count_correction")]
    # a receipt counted later raises it again; the reservation still holds
    assert _report(client, world, _observation(world, 600, 5, "scale-1:0605")).json()[0]["available"] == 450
    assert _stock(db, world) == (450, 150)


def test_a_count_below_the_reservations_records_a_discrepancy_naming_the_orders(client, world, db) -> None:
    order_id = _order_350(client, world)
    [outcome] = _report(client, world, _observation(world, 100, 0, "scale-1:0600")).json()
    assert (outcome["available"], outcome["reserved"], outcome["shortfall"], outcome["order_ids"]) == (
        0, 150, 50, [order_id])
    assert _stock(db, world) == (0, 150)  # never negative; the order keeps its reservation
    with db.read() as session:
        row = session.execute(select(stock_discrepancies)).one()
    assert (row.id, row.on_hand, row.reserved, row.shortfall, row.order_ids, row.observation_id) == (
        outcome["discrepancy_id"], 100, 150, 50, [order_id], "scale-1:0600")
    listed = client.get("/api/v1/inventory/discrepancies", headers=world.headers("procurement_coal")).json()
    assert [(d["id"], d["shortfall"], d["order_ids"]) for d in listed["items"]] == [(row.id, 50, [order_id])]
    assert client.get("/api/v1/inventory/discrepancies", headers=world.headers("supplier_2")).json()["total"] == 0
    # the order can still be cancelled: its reservation is released into available
    cancel = client.post(f"/api/v1/orders/{order_id}/cancel", json={"reason": "short"},
                         headers=world.headers("procurement_coal", **{"Idempotency-Key": "c"}))
    assert cancel.status_code == 200, cancel.text
    assert _stock(db, world) == (150, 0)


def test_a_late_observation_does_not_roll_stock_back(client, world, db) -> None:
    newer, older = _observation(world, 120, 10, "gate:0610"), _observation(world, 280, 0, "wms:0600")
    outcomes = _report(client, world, newer).json() + _report(client, world, older).json()
    assert [(o["status"], o["available"]) for o in outcomes] == [("applied", 120), ("stale", 120)]
    same_time = _report(client, world, _observation(world, 50, 10, "other:0610")).json()
    assert same_time[0]["status"] == "stale"
    assert _stock(db, world) == (120, 0)


def test_the_lake_snapshot_applies_the_same_rules_through_the_door(client, world, db) -> None:
    rows = [
        {**_observation(world, 250, 0, "wms:W-TAIYUAN:COAL-5500:0600"), "observed_at": T0},
        {**_observation(world, 900, 0, "wms:W-DATONG:COAL-4500:0600", "W-DATONG", "COAL-4500"), "observed_at": T0},
    ]

    def snapshot(version: str, hours: int, rows: list[dict]) -> Snapshot:
        return Snapshot(kind=KIND, version=version, produced_at=T0 + dt.timedelta(hours=hours),
                        source=f"gold/stock_observations_snapshot@v{hours}", rows=rows)

    assert _report(client, world, _observation(world, 270, 30, "iot:0630")).json()[0]["status"] == "applied"
    first = apply_snapshot(db, snapshot("a" * 64, 1, rows), apply_stock_observations)
    # Taiyuan's 06:00 count is older than the IoT reading of 06:30: skipped; Datong applied
    assert (first.status, first.written) == ("applied", 1)
    assert _stock(db, world) == (270, 0) and _stock(db, world, "W-DATONG", "COAL-4500") == (900, 0)
    assert apply_snapshot(db, snapshot("a" * 64, 1, rows), apply_stock_observations).status == "already_applied"
    later = [{**rows[0], "observation_id": "wms:W-TAIYUAN:COAL-5500:0700", "on_hand": 260,
              "observed_at": T0 + dt.timedelta(hours=1)}]
    assert apply_snapshot(db, snapshot("b" * 64, 2, later), apply_stock_observations).written == 1
    assert _stock(db, world) == (260, 0)
    assert _counts(db) == [(-30, "count_correction"), (-100, "count_correction"), (-10, "count_correction")]


def test_who_may_report_counts(client, world) -> None:
    observation = _observation(world, 10, 0, "x")
    assert _report(client, world, observation, user="buyer_coal").status_code == 403
    other = _report(client, world, observation, user="supplier_2")
    assert (other.status_code, other.json()["error"]["code"]) == (404, "not_found")
    assert _report(client, world, observation, user="admin").status_code == 200
    unknown = _report(client, world, {**observation, "observation_id": "y", "sku_id": 99999})
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_stock_item")
    naive = _report(client, world, {**observation, "observation_id": "z", "observed_at": "2026-12-07T06:00:00"})
    assert naive.status_code == 422
    negative = _report(client, world, {**observation, "observation_id": "n", "on_hand": -1})
    assert negative.status_code == 422
