"""The forecast assets on the demo group (issue #16 item 3): both models registered with a
champion, their gold tables published with their contracts, the optimiser's lookup reading
them, and the supplier 360 showing the supplier's late-delivery risk (compared with gold)."""

from __future__ import annotations

import pytest

from tests.serving.demo.oracle import API, gold

pytestmark = pytest.mark.slow


def test_forecast_gold_tables_the_lookup_and_the_supplier_360(api, demo_lake, auth, multi_unit):
    from models.ml.forecast.gold import (
        DELIVERY_CHECKS,
        DELIVERY_RISK_SCHEMA,
        DEMAND_CHECKS,
        DEMAND_FORECAST_SCHEMA,
    )
    from models.ml.forecast.lookup import LateRiskLookup
    from models.ml.forecast.train import DELIVERY_MODEL_NAME, DEMAND_MODEL_NAME
    from models.ml.registry import champion, client

    checks = demo_lake.first_checks
    for asset in ("ml/demand_forecast_model", "ml/delivery_risk_model"):
        assert checks[(asset, "holdout_metric_above_floor")] and checks[(asset, "champion_alias_set")], asset
    assert all(checks[("gold/ml_demand_forecast", c)] for c in DEMAND_CHECKS)
    assert all(checks[("gold/ml_delivery_risk", c)] for c in DELIVERY_CHECKS)

    demand = demo_lake.sql("SELECT * FROM gold.ml_demand_forecast")
    assert list(demand.columns) == DEMAND_FORECAST_SCHEMA.names and len(demand)
    assert (demand.groupby(["business_unit_code", "series"])["week"].nunique() == 4).all()
    assert set(demand["level"]) <= {"sku", "category"} and (demand["forecast"] >= 0).all()
    with_stock = demand[demand["stock_on_hand"].notna()]
    assert (with_stock["proposed_requisition"] == (with_stock["cumulative_forecast"]
                                                   - with_stock["stock_on_hand"]).clip(lower=0)).all()
    mlflow_client = client(demo_lake.settings)
    assert set(demand["model_version"]) == {str(champion(mlflow_client, DEMAND_MODEL_NAME).version)}

    risk = demo_lake.sql("SELECT * FROM gold.ml_delivery_risk")
    assert list(risk.columns) == DELIVERY_RISK_SCHEMA.names
    assert risk["late_probability"].between(0, 1).all() and not risk.duplicated(["vendor_id", "material_id"]).any()
    # every pair ordered up to the table's as_of (orders not cancelled, known material and vendor) is
    # scored, and nothing but those and offered pairs (later runs of the shared lake may add rows)
    as_of = risk["as_of"].max()
    pairs = demo_lake.sql(
        "SELECT DISTINCT po.vendor_id, l.material_id, cast(po.order_date AS date) <= DATE '" + str(as_of)[:10]
        + "' AS before FROM bronze.erp__purchase_order_lines l JOIN bronze.erp__purchase_orders po "
        "USING (purchase_order_id) JOIN bronze.erp__materials m USING (material_id) "
        "WHERE coalesce(po.status, '') <> 'cancelled' AND l.quantity > 0 AND po.vendor_id IS NOT NULL")
    offered = demo_lake.sql("SELECT DISTINCT vendor_id, material_id FROM bronze.erp__supplier_offers")
    scored = set(zip(risk["vendor_id"], risk["material_id"], strict=True))
    assert set(zip(pairs.loc[pairs["before"], "vendor_id"], pairs.loc[pairs["before"], "material_id"],
                   strict=True)) <= scored
    assert scored <= set(zip(pairs["vendor_id"], pairs["material_id"], strict=True)) | set(
        zip(offered["vendor_id"], offered["material_id"], strict=True))
    assert set(risk["model_version"]) == {str(champion(mlflow_client, DELIVERY_MODEL_NAME).version)}
    lookup = LateRiskLookup.from_rows(risk)
    first = risk.iloc[0]
    assert lookup.late_probability(first["vendor_id"], first["sku"]) == pytest.approx(first["late_probability"])

    expected = gold(demo_lake, "SELECT r.vendor_id, r.material_id, r.late_probability FROM gold.ml_delivery_risk r "
                    "JOIN gold.supplier_source_records s ON s.source_system = 'erp' AND s.source_record_id = r.vendor_id "
                    "WHERE s.supplier_key = ? ORDER BY r.late_probability DESC, r.vendor_id, r.material_id LIMIT 50",
                    [multi_unit])
    body = api.get(f"{API}/suppliers/{multi_unit}", headers=auth["admin"]).json()
    assert [(r["vendor_id"], r["material_id"]) for r in body["delivery_risk"]] == [
        (r["vendor_id"], r["material_id"]) for r in expected]
    assert body["delivery_risk"], "the supplier has ordered or offered SKUs"
