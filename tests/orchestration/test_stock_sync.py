"""The live-stock sync end to end on a real lake and a real service database: bronze WMS
counts (with the platform's own outbox for the ids) → ``gold/stock_observations_snapshot`` →
``platform/apply_stock_observations`` → the service's stock; re-running with unchanged bronze
does nothing; the sensor requests one run per new bronze snapshot."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pyarrow as pa
from sqlalchemy import select

from lake.publish import overwrite_table
from lake.storage import LakeStorage
from orchestration.decisions.stock import (
    apply_stock_observations_asset,
    stock_observations_snapshot,
    stock_sync_job,
    stock_sync_sensor,
)
from orchestration.resources import LakeResource


def _bronze_outbox(db) -> pa.Table:
    from transactional.db.tables.core import outbox_events

    with db.read() as session:
        rows = session.execute(select(outbox_events.c.sequence_id, outbox_events.c.event_type,
                                      outbox_events.c.payload).order_by(outbox_events.c.sequence_id)).all()
    return pa.table({"sequence_id": [r.sequence_id for r in rows], "event_type": [r.event_type for r in rows],
                     "payload": [json.dumps(r.payload) for r in rows]})


def _counts(day: dt.date, taiyuan: float) -> pa.Table:
    return pa.table({
        "snapshot_date": pa.array([day] * 3, pa.date32()),
        "warehouse_code": ["W-TAIYUAN", "W-TAIYUAN", "COAL-001"],
        "sku": ["COAL-5500", "COAL-5500", "COAL-5500"], "bin": ["B1", "B2", "B1"],
        "quantity_on_hand": pa.array([taiyuan, 20.0, 70.0], pa.float64()),
    })


def test_bronze_counts_reach_the_service_stock_once(settings, tmp_path, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache
    from tests.transactional.factories import build_world
    from transactional.db.database import Database
    from transactional.db.tables.catalogue import stock
    from transactional.migrations import upgrade_database

    url = f"sqlite:///{tmp_path / 'oltp.db'}"
    upgrade_database(url)
    monkeypatch.setenv("OLTP__DATABASE_URL", url)
    reset_settings_cache()
    db = Database(url)
    world = build_world(db)
    storage = LakeStorage.from_settings(get_settings())
    overwrite_table(storage, "bronze/tx/outbox_events", _bronze_outbox(db), name="bronze.tx__outbox_events")
    overwrite_table(storage, "bronze/wms/stock_snapshots", _counts(dt.date(2026, 11, 30), 230.0),
                    name="bronze.wms__stock_snapshots")
    instance = dg.DagsterInstance.ephemeral()

    def run() -> dict:
        result = dg.materialize([stock_observations_snapshot, apply_stock_observations_asset],
                                instance=instance, resources={"lake": LakeResource()})
        return {e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()}
                for e in result.get_asset_materialization_events()}

    def taiyuan() -> tuple[int, int]:
        with db.read() as session:
            return tuple(session.execute(select(stock.c.available, stock.c.reserved).where(
                stock.c.warehouse_id == world.warehouse_ids["W-TAIYUAN"],
                stock.c.sku_id == world.sku_ids["COAL-5500"])).one())

    first = run()
    snapshot, applied = first["stock_observations_snapshot"], first["apply_stock_observations"]
    # the group warehouse COAL-001 is not a platform warehouse: counted, left out
    assert (snapshot["wms_counts"], snapshot["matched"], snapshot["unmatched_warehouses"]) == (2, 1, 1)
    assert (applied["status"], applied["rows_written"]) == ("applied", 1)
    assert taiyuan() == (250, 0)  # 230 + 20 over two bins (was 300)
    assert run()["apply_stock_observations"]["status"] == "already_applied"

    overwrite_table(storage, "bronze/wms/stock_snapshots", _counts(dt.date(2026, 12, 1), 180.0),
                    name="bronze.wms__stock_snapshots")
    assert run()["apply_stock_observations"]["rows_written"] == 1
    assert taiyuan() == (200, 0)
    db.dispose()


def test_a_new_bronze_snapshot_requests_one_sync_run() -> None:
    instance = dg.DagsterInstance.ephemeral()
    defs = dg.Definitions(assets=[stock_observations_snapshot, apply_stock_observations_asset],
                          jobs=[stock_sync_job], sensors=[stock_sync_sensor], resources={"lake": LakeResource()})
    key = dg.AssetKey(["bronze", "wms", "stock_snapshots"])
    context = dg.build_sensor_context(instance=instance, definitions=defs)
    assert list(stock_sync_sensor.evaluate_tick(context).run_requests) == []  # nothing landed yet
    instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=key))
    landed = instance.get_latest_materialization_event(key)
    result = stock_sync_sensor.evaluate_tick(context)
    assert [r.run_key for r in result.run_requests] == [f"stock-sync-{landed.run_id or 'runless'}-{landed.timestamp:.6f}"]
    context = dg.build_sensor_context(instance=instance, definitions=defs, cursor=result.cursor)
    assert list(stock_sync_sensor.evaluate_tick(context).run_requests) == []  # the same landing: once
