"""The supply loop inside the whole graph, on the session's demo lake: the elimination list's
platform suppliers are exactly the listed golden suppliers' platform records and are the
service's suspensions; the live-stock snapshot holds exactly the WMS counts whose warehouse
and SKU the platform announced in its outbox (read only: the lake is left as found)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # on the session's demo lake (built once, about a minute idle)

def test_the_elimination_list_reaches_the_service_as_suspensions(demo_lake) -> None:
    from sqlalchemy import select

    from infra.settings import get_settings
    from transactional.core.inbound import current_snapshot
    from transactional.db.database import Database
    from transactional.db.tables.supply import supplier_suspensions

    assert demo_lake.first_run.success
    expected = set(demo_lake.sql("""
        select r.source_record_id from gold.supplier_scorecards_current s
        join gold.supplier_source_records r on r.supplier_key = s.supplier_key
        where s.is_bottom_decile and r.source_system = 'platform'""")["source_record_id"])
    listed = demo_lake.sql("select count(*) as n from gold.supplier_scorecards_current where is_bottom_decile")
    snapshot = demo_lake.sql("select * from gold.supplier_elimination_snapshot")
    assert int(listed["n"][0]) > 0
    assert set(snapshot["supplier_id"]) == expected
    assert snapshot["reason"].notna().all()
    database = Database.from_settings(get_settings())
    try:
        with database.read() as session:
            suspended = set(session.execute(select(supplier_suspensions.c.supplier_id)).scalars())
            in_force = current_snapshot(session, "supplier_suspensions")
    finally:
        database.dispose()
    assert suspended == expected
    assert in_force is not None and in_force.row_count == len(expected)
    print(f"\nelimination on the demo: {int(listed['n'][0])} golden suppliers listed, "
          f"{len(expected)} platform suppliers suspended")


def test_the_stock_snapshot_holds_the_counts_the_platform_can_apply(demo_lake) -> None:
    counts = demo_lake.sql("select count(distinct (warehouse_code, sku)) as n from bronze.wms__stock_snapshots")
    platform = demo_lake.sql("""
        select count(distinct (s.warehouse_code, s.sku)) as n from bronze.wms__stock_snapshots s
        where s.warehouse_code in (select json_extract_string(payload, '$.code') from bronze.tx__outbox_events
                                   where event_type = 'warehouse.created')
          and s.sku in (select json_extract_string(payload, '$.code') from bronze.tx__outbox_events
                        where event_type = 'sku.created')""")
    snapshot = demo_lake.sql("select * from gold.stock_observations_snapshot")
    assert int(counts["n"][0]) > 0
    assert len(snapshot) == int(platform["n"][0])
    print(f"\nstock on the demo: {int(counts['n'][0])} WMS warehouse x SKU counts, {len(snapshot)} on platform ids")
