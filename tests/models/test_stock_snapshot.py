"""The live-stock decision snapshot: latest WMS count per warehouse × SKU (bins summed), moved
on by later movements, keyed by the platform ids its outbox announced; unmatched counts are
counted, not silently mixed in."""

from __future__ import annotations

import datetime as dt
import json

import duckdb

from models.decisions.stock import Sources, stock_observations_snapshot

UTC = dt.UTC


def _lake() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("create schema bronze")
    con.execute("""create table bronze.wms__stock_snapshots (snapshot_date date, warehouse_code varchar,
                   sku varchar, bin varchar, quantity_on_hand decimal(18, 4))""")
    con.executemany("insert into bronze.wms__stock_snapshots values (?, ?, ?, ?, ?)", [
        (dt.date(2026, 11, 29), "WH-A", "COAL-1", "B1", 999),      # older count: ignored
        (dt.date(2026, 11, 30), "WH-A", "COAL-1", "B1", 100.75),   # latest: bins summed
        (dt.date(2026, 11, 30), "WH-A", "COAL-1", "B2", 50),
        (dt.date(2026, 11, 30), "WH-A", "COAL-2", "B1", 7),
        (dt.date(2026, 11, 30), "WH-GROUP", "COAL-1", "B1", 40),   # not a platform warehouse
        (dt.date(2026, 11, 30), "WH-A", "MAT-X", "B1", 3),         # not a platform SKU
    ])
    con.execute("""create table bronze.wms__movements (warehouse_code varchar, sku varchar,
                   quantity decimal(18, 4), moved_at timestamptz)""")
    con.executemany("insert into bronze.wms__movements values (?, ?, ?, ?)", [
        ("WH-A", "COAL-1", -30, dt.datetime(2026, 11, 30, 15, tzinfo=UTC)),  # before the count's instant
        ("WH-A", "COAL-1", -20, dt.datetime(2026, 12, 1, 8, tzinfo=UTC)),
        ("WH-A", "COAL-1", 5, dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC)),
        ("WH-A", "COAL-2", -9, dt.datetime(2026, 12, 1, 10, tzinfo=UTC)),    # more out than counted
    ])
    con.execute("create table bronze.tx__outbox_events (sequence_id bigint, event_type varchar, payload varchar)")
    events = [("warehouse.created", {"id": 11, "code": "WH-A"}), ("sku.created", {"id": 21, "code": "COAL-1"}),
              ("sku.created", {"id": 22, "code": "COAL-2"}), ("offer.created", {"id": 5, "code": "WH-GROUP"})]
    con.executemany("insert into bronze.tx__outbox_events values (?, ?, ?)",
                    [(i, kind, json.dumps(payload)) for i, (kind, payload) in enumerate(events, start=1)])
    return con


def test_latest_counts_move_on_with_later_movements_and_map_to_platform_ids() -> None:
    table, stats = stock_observations_snapshot(_lake())
    rows = [{k: r[k] for k in ("warehouse_id", "sku_id", "on_hand", "observed_at", "observation_id",
                               "movements_after_count")} for r in table.to_pylist()]
    assert rows == [
        {"warehouse_id": 11, "sku_id": 21, "on_hand": 135, "observed_at": dt.datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
         "observation_id": "wms:WH-A:COAL-1:2026-12-01T09:30:00.000000Z", "movements_after_count": 2},
        {"warehouse_id": 11, "sku_id": 22, "on_hand": 0, "observed_at": dt.datetime(2026, 12, 1, 10, tzinfo=UTC),
         "observation_id": "wms:WH-A:COAL-2:2026-12-01T10:00:00.000000Z", "movements_after_count": 1},
    ]
    assert (stats.counts, stats.matched, stats.unmatched_warehouses, stats.unmatched_skus) == (4, 2, 1, 1)
    again, _ = stock_observations_snapshot(_lake())
    assert again.equals(table)  # same data, same ids: the service applies each once


def test_a_count_without_later_movements_is_observed_at_the_end_of_its_day() -> None:
    con = _lake()
    table, _ = stock_observations_snapshot(con, Sources(movements=None))
    assert [(r["on_hand"], r["observed_at"]) for r in table.to_pylist()] == [
        (150, dt.datetime(2026, 12, 1, tzinfo=UTC)), (7, dt.datetime(2026, 12, 1, tzinfo=UTC))]


def test_without_wms_or_outbox_there_is_nothing_to_apply() -> None:
    con = duckdb.connect(":memory:")
    table, stats = stock_observations_snapshot(con)
    assert (table.num_rows, stats.counts) == (0, 0)
    con = _lake()
    con.execute("drop table bronze.tx__outbox_events")
    table, stats = stock_observations_snapshot(con)
    assert (table.num_rows, stats.counts, stats.matched) == (0, 4, 0)
