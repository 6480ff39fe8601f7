"""Live stock as a decision snapshot: the latest WMS count per warehouse × SKU, moved on by
the WMS movements recorded after it, keyed by the platform's warehouse and SKU ids.

* **Count**: ``bronze.wms__stock_snapshots`` summed over bins for the latest
  ``snapshot_date`` of each ``(warehouse_code, sku)``; a snapshot is the on-hand at the
  end of its day, so it is observed at ``snapshot_date + 1 day`` 00:00 UTC.
* **Movements after it**: ``bronze.wms__movements`` (signed quantities) moved at or after
  that instant are added; the observation is then as of the last such movement.
* **Platform ids**: the platform's own outbox (``bronze.tx__outbox_events``:
  ``warehouse.created`` and ``sku.created`` carry id and code) maps the WMS warehouse
  code and SKU code to the ids the service keys its stock by. Counts of warehouses or SKUs
  the platform does not hold are left out and counted (:class:`StockSnapshotStats`).
* ``on_hand`` is the floor of the quantity, never below 0 (the service's stock is whole
  units); ``observation_id`` is derived from the key and the instant, so rebuilding the
  same data gives the same ids (the service applies each once).

The transactional service applies it with ``transactional/inventory/inbound.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

SCHEMA = pa.schema([
    pa.field("warehouse_id", pa.int64(), nullable=False),
    pa.field("sku_id", pa.int64(), nullable=False),
    pa.field("warehouse_code", pa.string()),
    pa.field("sku_code", pa.string()),
    pa.field("on_hand", pa.int64()),
    pa.field("observed_at", pa.timestamp("us", tz="UTC")),
    pa.field("observation_id", pa.string()),
    pa.field("source", pa.string()),
    pa.field("counted_on", pa.date32()),
    pa.field("movements_after_count", pa.int64()),
])


@dataclass(frozen=True)
class Sources:
    """The lake tables the snapshot reads (overridable for tests)."""

    snapshots: str = "bronze.wms__stock_snapshots"
    movements: str | None = "bronze.wms__movements"
    outbox: str = "bronze.tx__outbox_events"


@dataclass(frozen=True)
class StockSnapshotStats:
    """How many WMS counts there were and how many matched a platform warehouse × SKU."""

    counts: int
    matched: int
    unmatched_warehouses: int
    unmatched_skus: int


def _exists(con: Any, name: str) -> bool:
    try:
        con.sql(f"select 1 from {name} limit 0")
        return True
    except Exception:  # noqa: BLE001 - duckdb raises CatalogException for a missing view
        return False


def stock_observations_snapshot(con: Any, sources: Sources | None = None) -> tuple[pa.Table, StockSnapshotStats]:
    """Build the snapshot (see the module docstring) from a DuckDB connection over the lake.

    Returns:
        The table (:data:`SCHEMA`, ordered by warehouse id, SKU id) and the match counts.
    """
    s = sources or Sources()
    empty = pa.Table.from_pylist([], schema=SCHEMA)
    if not _exists(con, s.snapshots):
        return empty, StockSnapshotStats(0, 0, 0, 0)
    moves = s.movements if s.movements and _exists(con, s.movements) else None
    has_outbox = _exists(con, s.outbox)
    platform_wh = (f"""select cast(json_extract(payload, '$.id') as bigint) as id,
                              json_extract_string(payload, '$.code') as code
                       from {s.outbox} where event_type = 'warehouse.created'""" if has_outbox
                   else "select cast(null as bigint) as id, cast(null as varchar) as code where false")
    platform_sku = platform_wh.replace("warehouse.created", "sku.created")
    after = (f"""select m.warehouse_code, m.sku, sum(m.quantity) as moved, max(m.moved_at) as last_moved_at,
                        count(*) as n
                 from {moves} m join counts c on c.warehouse_code = m.warehouse_code and c.sku = m.sku
                 where m.moved_at >= c.counted_at
                 group by m.warehouse_code, m.sku""" if moves
             else "select null::varchar as warehouse_code, null::varchar as sku, 0::decimal(18,4) as moved, "
                  "null::timestamptz as last_moved_at, 0::bigint as n where false")
    con.execute("SET TimeZone = 'UTC'")
    rows = con.sql(f"""
with counts as (
    select warehouse_code, sku, snapshot_date, sum(quantity_on_hand) as counted,
           cast(snapshot_date + interval 1 day as timestamptz) as counted_at
    from {s.snapshots}
    where warehouse_code is not null and sku is not null and quantity_on_hand is not null
    group by warehouse_code, sku, snapshot_date
    qualify row_number() over (partition by warehouse_code, sku order by snapshot_date desc) = 1
),
after as ({after}),
wh as (select code, max(id) as id from ({platform_wh}) where code is not null group by code),
sk as (select code, max(id) as id from ({platform_sku}) where code is not null group by code),
observed as (
    select counts.*, coalesce(after.moved, 0) as moved, coalesce(after.n, 0) as n,
           greatest(counts.counted_at, coalesce(after.last_moved_at, counts.counted_at)) as observed_at,
           wh.id as warehouse_id, sk.id as sku_id
    from counts
    left join after using (warehouse_code, sku)
    left join wh on wh.code = counts.warehouse_code
    left join sk on sk.code = counts.sku
)
select warehouse_id, sku_id, warehouse_code, sku as sku_code,
       cast(greatest(floor(counted + moved), 0) as bigint) as on_hand,
       observed_at,
       'wms:' || warehouse_code || ':' || sku || ':' || strftime(observed_at, '%Y-%m-%dT%H:%M:%S.%fZ') as observation_id,
       'wms' as source, snapshot_date as counted_on, cast(n as bigint) as movements_after_count
from observed
order by warehouse_id nulls last, sku_id nulls last, warehouse_code, sku
""").to_arrow_table()
    matched = rows.filter(pc.and_(pc.is_valid(rows["warehouse_id"]),
                                          pc.is_valid(rows["sku_id"])))
    stats = StockSnapshotStats(
        counts=rows.num_rows, matched=matched.num_rows,
        unmatched_warehouses=len({r for r, w in zip(rows["warehouse_code"].to_pylist(),
                                                    rows["warehouse_id"].to_pylist(), strict=True) if w is None}),
        unmatched_skus=len({r for r, k in zip(rows["sku_code"].to_pylist(), rows["sku_id"].to_pylist(), strict=True)
                            if k is None}),
    )
    return matched.cast(SCHEMA) if matched.num_rows else empty, stats
