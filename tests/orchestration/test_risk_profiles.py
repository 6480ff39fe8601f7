"""gold/risk_profiles from ERP purchase orders and platform orders, keyed by platform ids, and
applied to the service's risk_profiles through the inbound door (once per content version)."""

from __future__ import annotations

import datetime as dt
import json

import dagster as dg
import pyarrow as pa
import pytest
from sqlalchemy import select

from lake.publish import publish_table
from lake.storage import LakeStorage
from orchestration.resources import LakeResource
from orchestration.risk.assets import apply_risk_profiles_asset, risk_profiles

T0 = dt.datetime(2026, 6, 1, 8, 0, tzinfo=dt.UTC)


def _bronze(storage: LakeStorage) -> None:
    """Four ERP orders of COAL-6000 from SUP-1 (one in USD) and a cancelled one; one platform
    order of the same SKU (platform id 2) and one placed then cancelled."""
    pos = [("PO-1", 10, 600.0, "CNY", "approved"), ("PO-2", 20, 620.0, "CNY", "approved"),
           ("PO-3", 30, 640.0, "CNY", "approved"), ("PO-4", 40, 100.0, "USD", "approved"),
           ("PO-5", 999, 1.0, "CNY", "cancelled")]
    publish_table(storage, "bronze/erp/purchase_orders", pa.table({
        "purchase_order_id": [p[0] for p in pos], "business_unit_code": ["COAL"] * 5, "vendor_id": ["SUP-1"] * 5,
        "buyer_id": ["U-1"] * 5, "created_at": [T0 + dt.timedelta(days=i) for i in range(5)],
        "order_date": [(T0 + dt.timedelta(days=i)).date() for i in range(5)],
        "total_amount": [p[1] * p[2] for p in pos], "currency": [p[3] for p in pos],
        "status": [p[4] for p in pos]}), name="bronze.erp__purchase_orders")
    publish_table(storage, "bronze/erp/purchase_order_lines", pa.table({
        "purchase_order_id": [p[0] for p in pos], "material_id": ["M-1"] * 5,
        "quantity": [float(p[1]) for p in pos], "unit_price": [p[2] for p in pos],
        "currency": [p[3] for p in pos]}), name="bronze.erp__purchase_order_lines")
    publish_table(storage, "bronze/erp/materials", pa.table({
        "material_id": ["M-1"], "sku": ["COAL-6000"], "name": ["Coal 6000"]}), name="bronze.erp__materials")
    publish_table(storage, "bronze/erp/fx_rates", pa.table({
        "rate_date": [T0.date()], "from_currency": ["USD"], "to_currency": ["CNY"], "rate": [7.0]}),
        name="bronze.erp__fx_rates")
    placed = {"business_unit": "COAL", "supplier_id": "SUP-1", "currency": "CNY", "total_amount": "45000.0000",
              "placed_at": (T0 + dt.timedelta(days=10)).isoformat(), "buyer_user_id": 7,
              "lines": [{"sku_id": 2, "offer_id": 5, "quantity": 50, "unit_price": "900.0000"}]}
    events = [("sku.created", "2", {"id": 2, "code": "COAL-6000", "name": "Coal 6000"}),
              ("order.placed", "11", placed), ("order.placed", "12", {**placed, "total_amount": "1"}),
              ("order.cancelled", "12", {})]
    publish_table(storage, "bronze/tx/outbox_events", pa.table({
        "sequence_id": list(range(1, len(events) + 1)), "event_type": [e[0] for e in events],
        "aggregate_id": [e[1] for e in events], "payload": [json.dumps(e[2]) for e in events],
        "occurred_at": [T0 + dt.timedelta(days=10)] * len(events)}), name="bronze.tx__outbox_events")


@pytest.mark.slow  # two Dagster runs with Delta writes and a migrated database: ~20 s
def test_profiles_are_computed_on_platform_ids_and_applied_through_the_door(settings, tmp_path, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache
    from transactional.core.inbound import current_snapshot
    from transactional.db.database import Database
    from transactional.db.tables.risk import risk_profiles as table
    from transactional.migrations import upgrade_database

    url = f"sqlite:///{tmp_path / 'oltp.db'}"
    upgrade_database(url)
    monkeypatch.setenv("OLTP__DATABASE_URL", url)
    reset_settings_cache()
    _bronze(LakeStorage.from_settings(get_settings()))
    instance = dg.DagsterInstance.ephemeral()

    def run() -> dict:
        result = dg.materialize([risk_profiles, apply_risk_profiles_asset], instance=instance,
                                resources={"lake": LakeResource()})
        return {k: v.value for e in result.get_asset_materialization_events()
                for k, v in e.materialization.metadata.items()}

    first = run()
    assert (first["status"], first["rows_written"]) == ("applied", 4)
    assert run()["status"] == "already_applied"  # same content: no new version
    db = Database(url)
    with db.read() as session:
        rows = {r.subject: r for r in session.execute(select(table))}
        version = current_snapshot(session, "risk_profiles").version
    db.dispose()
    assert sorted(rows) == ["bu_sku:COAL:2", "bu_supplier:COAL:SUP-1", "sku:2", "supplier:SUP-1"]
    sku = rows["sku:2"]  # 600, 620, 640, 700 (100 USD at 7.0) and 900 on the platform; cancelled ones out
    assert (sku.order_count, float(sku.unit_price_median), sku.quantity_median) == (5, 640.0, 30.0)
    assert sku.quantity_p95 == pytest.approx(48.0)
    supplier = rows["supplier:SUP-1"]
    assert (supplier.order_count, supplier.first_order_at, supplier.snapshot_version) == (5, T0, version)
    pair = rows["bu_supplier:COAL:SUP-1"]  # order totals 6,000 / 12,400 / 19,200 / 28,000 / 45,000
    assert (pair.order_count, float(pair.amount_median), pair.currency) == (5, 19200.0, "CNY")
