"""ML assets: train + register the models, then score and publish the gold tables.

``["ml", "fraud_risk_model"]`` trains on the lake's ERP bronze tables, logs to MLflow,
registers a version and applies the champion rule (see :mod:`models.ml.registry`); its
blocking checks (held-out metric above the floor, a champion in place) stop the gold asset
downstream in the same run. ``["gold", "ml_fraud_risk"]`` scores with the *champion* (never
an unpromoted version), validates the rows, and overwrites ``<lake>/gold/ml_fraud_risk`` in
one Delta commit. The recommender's assets are in :mod:`orchestration.ml.reco` and reuse the
helpers here. Thin adapters: the work is in :mod:`models.ml.workflow`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dagster as dg
from dagster import AssetExecutionContext

from infra.settings import get_settings
from models.ml.features.sources import ENTITIES
from models.ml.gold import FRAUD_RISK_SCHEMA
from orchestration.ml.checks import (
    FRAUD_GOLD_CHECKS,
    FRAUD_GOLD_KEY,
    FRAUD_MODEL_KEY,
    fraud_gold_problems,
    gold_check_results,
    gold_check_specs,
    model_check_specs,
)

if TYPE_CHECKING:
    import duckdb
    import pandas as pd
    import pyarrow as pa

    from models.ml.workflow import TrainOutcome

#: the ERP bronze tables the features read.
BRONZE_DEPS = [dg.AssetKey(["bronze", "erp", entity]) for entity in ENTITIES]
#: MLflow's sqlite store can be busy when both models register at once: retry the step.
RETRY = dg.RetryPolicy(max_retries=2, delay=5, backoff=dg.Backoff.EXPONENTIAL)
OWNERS = ["team:ml"]


def _lake(context: AssetExecutionContext) -> duckdb.DuckDBPyConnection:
    """DuckDB over the lake, refused when an isolating check on a table read upstream did not
    pass (:mod:`orchestration.quality.isolation`): no training or scoring on unchecked data."""
    from lake.sql import connect
    from orchestration.quality.isolation import refuse_if_upstream_failed

    key = min(context.selected_asset_keys, key=lambda k: k.to_user_string())
    refuse_if_upstream_failed(context, key, key.to_user_string())

    con = connect(context.resources.lake.storage())
    con.execute("SET TimeZone = 'UTC'")
    return con


def _model_result(outcome: TrainOutcome, floor: tuple[bool, str]) -> dg.MaterializeResult:
    settings = get_settings()
    from models.ml.registry import champion, client

    current = champion(client(settings), outcome.model_name)
    metadata = {
        "model_name": outcome.model_name,
        "registered_version": outcome.registered.version,
        "mlflow_run_id": outcome.registered.run_id,
        "promoted": outcome.decision.promoted,
        "champion_version": str(current.version) if current is not None else "",
        "champion_decision": outcome.decision.reason,
        "tracking_uri": settings.mlflow.tracking_uri,
        **{f"metric/{k}": round(v, 6) for k, v in sorted(outcome.metrics.items())
           if k.startswith(("holdout_pr_auc", "holdout_overall", "holdout_ndcg", "holdout_precision",
                            "holdout_recall", "holdout_bad", "baseline", "ndcg_lift",
                            "negative_control", "supplier_"))},
        **{f"seconds/{k}": v for k, v in outcome.seconds.items()},
    }
    if outcome.shipped is not None:
        metadata["online_bundle"] = str(outcome.shipped)
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(check_name="holdout_metric_above_floor", passed=floor[0],
                                metadata={"detail": floor[1]}),
            dg.AssetCheckResult(check_name="champion_alias_set", passed=current is not None,
                                metadata={"champion_version": str(current.version) if current else ""}),
        ],
    )


@dg.asset(
    key=FRAUD_MODEL_KEY, deps=BRONZE_DEPS, group_name="ml", kinds={"mlflow", "scikitlearn"}, owners=OWNERS,
    required_resource_keys={"lake"}, retry_policy=RETRY,
    check_specs=model_check_specs(FRAUD_MODEL_KEY, "held-out PR-AUC >= max(0.25, red-flag rules' PR-AUC - 0.05) on the same held-out "
                                                     "documents (not judged without held-out cases)"),
    description="Procurement fraud risk (orders, invoices, payments): IsolationForest + logistic regression on "
                "audit red flags, trained before the time split, evaluated after it, registered in MLflow as "
                "grouplake_fraud_risk; champion alias moved only when not worse.",
)
def fraud_risk_model(context) -> dg.MaterializeResult:  # dagster inspects the bare `context` name
    """Train, evaluate and register the fraud-risk model."""
    from models.ml.fraud.train import meets_floor
    from models.ml.workflow import train_fraud_model

    outcome = train_fraud_model(get_settings(), con=_lake(context))
    context.log.info(f"grouplake_fraud_risk v{outcome.registered.version}: {outcome.decision.reason}")
    return _model_result(outcome, meets_floor(outcome.metrics))


def _schema(schema: pa.Schema) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(f.name, str(f.type)) for f in schema])


def _publish(context: AssetExecutionContext, rows: pd.DataFrame, schema: pa.Schema, relative: str,
             name: str, description: str, version: str, problems: dict[str, str], check_names: tuple[str, ...]) -> dg.MaterializeResult:
    from lake.publish import publish_table
    from models.ml.gold import to_arrow

    if problems:
        raise dg.Failure(
            description=f"{name} not published (previous version kept): " + "; ".join(
                f"{k}: {v}" for k, v in sorted(problems.items())),
            metadata={"failed_checks": ", ".join(sorted(problems))},
        )
    storage = context.resources.lake.storage()
    table = to_arrow(rows, schema)
    delta_version, changed, digest = publish_table(
        storage, relative, table, name=name, description=description,
        metadata={"grouplake.model_version": version, "grouplake.dagster_run_id": context.run.run_id},
    )
    return dg.MaterializeResult(
        metadata={"dagster/row_count": table.num_rows, "delta_version": delta_version, "published": changed,
                  "model_version": version, "content_sha256": digest, "uri": storage.uri(relative)},
        check_results=gold_check_results(check_names, problems),
    )


@dg.asset(
    key=FRAUD_GOLD_KEY, deps=[FRAUD_MODEL_KEY, *BRONZE_DEPS], group_name="ml", kinds={"delta"}, owners=OWNERS,
    required_resource_keys={"lake"}, check_specs=gold_check_specs(FRAUD_GOLD_KEY, FRAUD_GOLD_CHECKS),
    description="One row per purchase order, AP invoice and payment: risk score 0-1, level, rank, top reasons, "
                "model version (the champion). Published to `<lake>/gold/ml_fraud_risk`.",
    metadata={"path": "gold/ml_fraud_risk", "sql_name": "gold.ml_fraud_risk",
              "dagster/column_schema": _schema(FRAUD_RISK_SCHEMA)},
)
def ml_fraud_risk(context) -> dg.MaterializeResult:
    """Score every document with the champion and publish ``gold.ml_fraud_risk``."""
    from models.ml.workflow import score_fraud

    con = _lake(context)
    rows, version = score_fraud(get_settings(), con=con)
    documents = sum(con.execute(f"select count(*) from bronze.erp__{t}").fetchall()[0][0]
                    for t in ("purchase_orders", "ap_invoices", "payments"))
    return _publish(context, rows, FRAUD_RISK_SCHEMA, "gold/ml_fraud_risk", "gold.ml_fraud_risk",
                    "Fraud risk per document (grouplake_fraud_risk champion)", version,
                    fraud_gold_problems(rows, documents), FRAUD_GOLD_CHECKS)


ml_assets = [fraud_risk_model, ml_fraud_risk]  # the recommender's: orchestration.ml.reco
