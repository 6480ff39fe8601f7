"""Live stock's way to the service: ``gold/stock_observations_snapshot`` (built by
:func:`models.decisions.stock.stock_observations_snapshot` from the WMS bronze, keyed by the
platform ids its outbox announced), ``platform/apply_stock_observations`` (the inbound door
with ``transactional.inventory.inbound.apply_stock_observations``), and ``stock_sync_sensor``
running both whenever a WMS stock snapshot lands in bronze.

Readings streamed by IoT devices take the service's own path (``POST
/api/v1/inventory/observations``); the same domain function applies both, so whichever is
later wins and neither rolls the other back.
"""

from __future__ import annotations

import dagster as dg

from orchestration.decisions.door import GROUP, OWNERS, decision_apply_asset
from transactional.inventory.inbound import KIND, apply_stock_observations

TABLE = "stock_observations_snapshot"
SNAPSHOT_KEY = dg.AssetKey(["gold", TABLE])
WMS_SNAPSHOTS = dg.AssetKey(["bronze", "wms", "stock_snapshots"])
DEPS = (WMS_SNAPSHOTS, dg.AssetKey(["bronze", "wms", "movements"]), dg.AssetKey(["bronze", "tx", "outbox_events"]))


@dg.asset(
    key=SNAPSHOT_KEY, deps=list(DEPS), group_name=GROUP, kinds={"delta", "duckdb"}, owners=OWNERS,
    required_resource_keys={"lake"},
    description="Decision snapshot: the latest WMS count per warehouse x SKU moved on by later WMS movements, "
                "keyed by platform warehouse and SKU ids (counts of warehouses/SKUs the platform does not hold "
                "are left out and counted in the metadata).",
)
def stock_observations_snapshot(context) -> dg.MaterializeResult:
    """Build and publish the snapshot (one Delta commit, none when its content is unchanged)."""
    from lake.publish import publish_table
    from lake.sql import connect
    from models.decisions.stock import stock_observations_snapshot as build
    from orchestration.quality.isolation import refuse_if_upstream_failed

    # a failing check on a WMS bronze table keeps the previous snapshot (#25 failure isolation)
    refuse_if_upstream_failed(context, SNAPSHOT_KEY, SNAPSHOT_KEY.to_user_string())
    storage = context.resources.lake.storage()
    con = connect(storage)
    try:
        table, stats = build(con)
    finally:
        con.close()
    published = publish_table(storage, f"gold/{TABLE}", table, name=f"gold.{TABLE}",
                              description="Latest stock counts keyed by platform ids (live stock, #18).",
                              metadata={"grouplake.dagster_run_id": context.run.run_id})
    if stats.counts and not stats.matched:
        context.log.warning("none of the %d WMS counts names a platform warehouse and SKU", stats.counts)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": table.num_rows, "wms_counts": stats.counts, "matched": stats.matched,
        "unmatched_warehouses": stats.unmatched_warehouses, "unmatched_skus": stats.unmatched_skus,
        "delta_version": published.version, "published": published.changed,
        "content_sha256": published.content_hash,
    })


apply_stock_observations_asset = decision_apply_asset(
    kind=KIND, gold_table=TABLE, applier=apply_stock_observations, source_key=SNAPSHOT_KEY,
    description="Apply the latest stock counts to the transactional stock: on-hand set, reservations kept, "
                "discrepancies recorded; late counts never roll stock back.",
)

stock_sync_job = dg.define_asset_job(
    "stock_sync_job", selection=dg.AssetSelection.assets(SNAPSHOT_KEY, apply_stock_observations_asset.key),
    description="Publish the latest WMS counts and apply them to the transactional stock.",
)


@dg.asset_sensor(asset_key=WMS_SNAPSHOTS, job=stock_sync_job, default_status=dg.DefaultSensorStatus.RUNNING,
                 description="Syncs the transactional stock whenever a WMS stock snapshot lands in bronze.")
def stock_sync_sensor(context: dg.SensorEvaluationContext, asset_event: dg.EventLogEntry) -> dg.RunRequest:
    """One sync run per new bronze WMS snapshot materialization (the sensor's cursor moves past it)."""
    return dg.RunRequest(run_key=f"stock-sync-{asset_event.run_id or 'runless'}-{asset_event.timestamp:.6f}")
