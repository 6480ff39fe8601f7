"""The ML component in the asset graph, its checks, gold casting and publication."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from models.ml.gold import FRAUD_RISK_SCHEMA, to_arrow
from models.ml.recommend.gold import RECOMMENDATIONS_SCHEMA
from orchestration.ml.checks import fraud_gold_problems
from orchestration.ml.reco import problems_of


def test_ml_assets_and_checks_are_in_the_graph():
    import dagster as dg

    from orchestration.ml import defs
    from orchestration.resources import LakeResource

    graph = dg.Definitions.merge(defs, dg.Definitions(resources={"lake": LakeResource()})).resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"ml/fraud_risk_model", "ml/recommender_model", "gold/ml_fraud_risk", "gold/ml_recommendations",
            "gold/ml_related_items", "gold/ml_supplier_recommendations", "gold/reco_decision_snapshot"} <= keys
    checks = {(c.asset_key.to_user_string(), c.name): graph.get_check_spec(c).blocking for c in graph.asset_check_keys}
    for model in ("ml/fraud_risk_model", "ml/recommender_model"):
        assert checks[(model, "holdout_metric_above_floor")] is True
        assert checks[(model, "champion_alias_set")] is True
    assert ("gold/ml_fraud_risk", "risk_scores_in_unit_interval") in checks
    assert ("gold/ml_recommendations", "ranks_contiguous_per_buyer") in checks
    assert ("gold/reco_decision_snapshot", "one_row_per_key") in checks
    reco_parents = {k.to_user_string() for k in graph.get(dg.AssetKey(["gold", "reco_decision_snapshot"])).parent_keys}
    assert {"ml/recommender_model", "bronze/erp/materials", "bronze/tx/outbox_events"} <= reco_parents
    parents = {k.to_user_string() for k in graph.get(dg.AssetKey(["gold", "ml_fraud_risk"])).parent_keys}
    assert {"ml/fraud_risk_model", "bronze/erp/purchase_orders", "bronze/erp/payments"} <= parents


def _fraud_rows() -> pd.DataFrame:
    return pd.DataFrame({
        "document_type": ["purchase_order", "payment"], "document_id": ["PO-1", "PAY-1"],
        "business_unit_code": ["BMAT", "BMAT"], "vendor_id": ["V1", "V1"], "buyer_id": ["U1", None],
        "document_date": pd.to_datetime(["2026-03-02", "2026-03-05"]), "amount": [1234.5678, 10.0],
        "currency": ["CNY", "USD"], "amount_cny": [1234.5678, 72.0], "risk_score": [0.9, 0.01],
        "risk_level": ["high", "low"], "risk_rank": [1, 2], "anomaly_score": [0.99, 0.2],
        "reasons": [["approved by its own buyer (U1)"], []], "reason_features": [["self_approved"], []],
        "model_name": "grouplake_fraud_risk", "model_version": "3", "scored_through": pd.Timestamp("2026-03-05"),
    })


def test_gold_rows_are_cast_to_the_contract():
    table = to_arrow(_fraud_rows(), FRAUD_RISK_SCHEMA)
    assert table.schema == FRAUD_RISK_SCHEMA
    row = table.to_pylist()[0]
    assert str(row["amount"]) == "1234.5678" and row["document_date"] == dt.date(2026, 3, 2)
    assert row["reasons"] == ["approved by its own buyer (U1)"] and table.to_pylist()[1]["buyer_id"] is None
    with pytest.raises(KeyError, match="risk_score"):
        to_arrow(_fraud_rows().drop(columns=["risk_score"]), FRAUD_RISK_SCHEMA)
    recs = to_arrow(pd.DataFrame({"business_unit_code": ["BMAT"], "buyer_id": ["U1"], "buyer_source": ["erp"],
                                  "rank": [1], "sku": ["S1"], "score": [0.5], "reason_kind": ["due"],
                                  "reason": ["due"], "model_name": ["m"], "model_version": ["1"]}),
                    RECOMMENDATIONS_SCHEMA)
    assert recs.column("due_ratio").null_count == 1 and recs.schema.field("rank").type == pa.int32()


def test_fraud_gold_validation():
    rows = _fraud_rows()
    assert fraud_gold_problems(rows, documents=2) == {}
    bad = pd.concat([rows, rows.iloc[[0]]], ignore_index=True)
    bad.loc[1, "risk_score"] = 1.5
    problems = fraud_gold_problems(bad, documents=2)
    assert set(problems) == {"risk_scores_in_unit_interval", "one_row_per_document", "every_document_scored"}
    assert problems["every_document_scored"] == "3 rows for 2 documents"


def test_recommendation_validation():
    good = pd.DataFrame({"buyer_id": ["U1", "U1"], "rank": [1, 2], "sku": ["S1", "S2"]})
    assert problems_of("ml_recommendations", good) == {}
    bad = pd.DataFrame({"buyer_id": ["U1", "U1", "U1"], "rank": [1, 3, 4], "sku": ["S1", "S1", "S2"]})
    assert set(problems_of("ml_recommendations", bad)) == {"ranks_contiguous_per_buyer", "one_row_per_buyer_and_sku"}
    related = pd.DataFrame({"sku": ["S1", "S2"], "related_sku": ["S1", "S3"], "lift": [2.0, 0.9]})
    assert set(problems_of("ml_related_items", related)) == {"no_sku_related_to_itself", "lift_above_one"}
