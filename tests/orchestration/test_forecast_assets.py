"""The forecast assets in the asset graph: blocking model checks, gold checks, inputs, serving."""

from __future__ import annotations


def test_forecast_assets_checks_and_inputs_are_in_the_graph():
    import dagster as dg

    from orchestration.ml import defs
    from orchestration.resources import LakeResource
    from orchestration.serving.assets import gold_dependencies

    graph = dg.Definitions.merge(defs, dg.Definitions(resources={"lake": LakeResource()})).resolve_asset_graph()
    checks = {(c.asset_key.to_user_string(), c.name): graph.get_check_spec(c).blocking for c in graph.asset_check_keys}
    for model in ("ml/demand_forecast_model", "ml/delivery_risk_model"):
        assert checks[(model, "holdout_metric_above_floor")] is True
        assert checks[(model, "champion_alias_set")] is True
    assert {c for a, c in checks if a == "gold/ml_demand_forecast"} == {
        "forecasts_non_negative", "one_row_per_series_and_week", "every_series_has_the_horizon"}
    assert {c for a, c in checks if a == "gold/ml_delivery_risk"} == {
        "probabilities_in_unit_interval", "one_row_per_vendor_and_sku"}

    def parents(*key: str) -> set[str]:
        return {k.to_user_string() for k in graph.get(dg.AssetKey(list(key))).parent_keys}

    assert {"ml/demand_forecast_model", "bronze/erp/purchase_order_lines", "bronze/wms/stock_snapshots"} <= parents(
        "gold", "ml_demand_forecast")
    assert {"ml/delivery_risk_model", "bronze/erp/goods_receipts", "bronze/erp/shipments",
            "bronze/erp/supplier_offers"} <= parents("gold", "ml_delivery_risk")
    assert dg.AssetKey(["gold", "ml_delivery_risk"]) in gold_dependencies(set(), with_ml=True)
    assert dg.AssetKey(["gold", "ml_delivery_risk"]) not in gold_dependencies(set(), with_ml=False)
