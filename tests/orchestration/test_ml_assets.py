"""The ML component in the asset graph, its checks, gold casting and publication."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

from models.ml.gold import FRAUD_RISK_SCHEMA, RECOMMENDATIONS_SCHEMA, to_arrow
from orchestration.ml.checks import fraud_gold_problems, recommendation_problems


def test_ml_assets_and_checks_are_in_the_graph():
    import dagster as dg

    from orchestration.ml import defs
    from orchestration.resources import LakeResource

    graph = dg.Definitions.merge(defs, dg.Definitions(resources={"lake": LakeResource()})).resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"ml/fraud_risk_model", "ml/recommender_model", "gold/ml_fraud_risk", "gold/ml_recommendations"} <= keys
    checks = {(c.asset_key.to_user_string(), c.name): graph.get_check_spec(c).blocking for c in graph.asset_check_keys}
    for model in ("ml/fraud_risk_model", "ml/recommender_model"):
        assert checks[(model, "holdout_metric_above_floor")] is True
        assert checks[(model, "champion_alias_set")] is True
    assert ("gold/ml_fraud_risk", "risk_scores_in_unit_interval") in checks
    assert ("gold/ml_recommendations", "no_vendor_the_buyer_already_uses") in checks
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
    recs = to_arrow(pd.DataFrame({"business_unit_code": ["BMAT"], "buyer_id": ["U1"], "rank": [1],
                                  "vendor_id": ["V3"], "score": [0.5], "model_name": ["m"], "model_version": ["1"]}),
                    RECOMMENDATIONS_SCHEMA)
    assert recs.column("on_time_rate").null_count == 1 and recs.schema.field("rank").type == pa.int32()


def test_fraud_gold_validation():
    rows = _fraud_rows()
    assert fraud_gold_problems(rows, documents=2) == {}
    bad = pd.concat([rows, rows.iloc[[0]]], ignore_index=True)
    bad.loc[1, "risk_score"] = 1.5
    problems = fraud_gold_problems(bad, documents=2)
    assert set(problems) == {"risk_scores_in_unit_interval", "one_row_per_document", "every_document_scored"}
    assert problems["every_document_scored"] == "3 rows for 2 documents"


def test_recommendation_validation():
    catalogue = pd.DataFrame({"vendor_id": ["V1", "V2", "W1"], "business_unit_code": ["BMAT", "BMAT", "COAL"]})
    events = pd.DataFrame({"buyer_id": ["U1"], "vendor_id": ["V1"]})
    good = pd.DataFrame({"buyer_id": ["U1"], "business_unit_code": ["BMAT"], "rank": [1], "vendor_id": ["V2"]})
    assert recommendation_problems(good, catalogue, events) == {}
    bad = pd.DataFrame({"buyer_id": ["U1", "U1", "U1"], "business_unit_code": ["BMAT"] * 3, "rank": [1, 3, 4],
                        "vendor_id": ["V2", "W1", "V1"]})
    assert set(recommendation_problems(bad, catalogue, events)) == {
        "ranks_contiguous_per_buyer", "recommended_vendor_in_buyer_unit", "no_vendor_the_buyer_already_uses"}


def test_publication_is_one_commit_and_none_when_unchanged(tmp_path):
    from lake.publish import publish_table
    from lake.storage import LakeStorage
    from lake.tables import open_table, read_table

    storage = LakeStorage(str(tmp_path / "lake"))
    table = to_arrow(_fraud_rows(), FRAUD_RISK_SCHEMA)
    first = publish_table(storage, "gold/ml_fraud_risk", table, name="gold.ml_fraud_risk", description="d",
                          metadata={"grouplake.model_version": "3"})
    again = publish_table(storage, "gold/ml_fraud_risk", table, name="gold.ml_fraud_risk", description="d",
                          metadata={"grouplake.model_version": "3"})
    changed = publish_table(storage, "gold/ml_fraud_risk", table.slice(0, 1), name="gold.ml_fraud_risk",
                            description="d", metadata={})
    assert (first[0], first[1]) == (0, True)
    assert (again[0], again[1]) == (0, False)
    assert (changed[0], changed[1]) == (1, True)
    assert read_table(storage, "gold/ml_fraud_risk").num_rows == 1
    assert open_table(storage, "gold/ml_fraud_risk").history(1)[0]["operation"] == "WRITE"


def test_mlflow_service_spec(settings):
    from models.ml.service import service_spec

    spec = service_spec(settings)
    assert spec.name == "mlflow" and spec.port == settings.services.mlflow_port
    assert spec.command[1:4] == ["-m", "mlflow", "server"]
    assert spec.command[spec.command.index("--backend-store-uri") + 1] == settings.mlflow.tracking_uri
    assert spec.command[spec.command.index("--default-artifact-root") + 1].startswith("file:///")
    assert spec.health_url.endswith(f":{settings.services.mlflow_port}/health")
    assert spec.urls == {"MLflow UI": f"http://{settings.services.host}:{settings.services.mlflow_port}"}
