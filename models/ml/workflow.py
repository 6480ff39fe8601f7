"""The end-to-end steps the Dagster assets, the CLI and the benchmark share.

``train_*`` computes features over the lake, trains and evaluates, logs and registers a new
MLflow version and applies the champion rule (shipping the fraud bundle for online scoring
when the champion moves). ``score_*`` loads the current champion and produces the rows of
``gold.ml_fraud_risk`` / ``gold.ml_recommendations``. Nothing here knows about Dagster.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from models.ml import mlflow_models
from models.ml.bundle import load_bundle, save_bundle
from models.ml.registry import (
    FRAUD_MODEL_NAME,
    RECOMMENDER_MODEL_NAME,
    PromotionDecision,
    RegisteredVersion,
    client,
    download_champion_bundle,
    log_training,
    promote_if_not_worse,
    registry_lock,
    reject,
)


@dataclass
class TrainOutcome:
    """A training that was logged, registered and judged by the champion rule."""

    model_name: str
    registered: RegisteredVersion
    decision: PromotionDecision
    metrics: dict[str, float]
    evaluation: dict[str, Any]
    params: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)
    shipped: Path | None = None


def _connect(settings: Any, con: Any | None) -> Any:
    if con is not None:
        return con
    from models.ml.features.sources import open_lake

    return open_lake(settings)


def train_fraud_model(
    settings: Any, *, con: Any | None = None, holdout_months: int | None = None,
    params: Any | None = None, cases_path: Path | None = None, tolerance: float = 0.0,
) -> TrainOutcome:
    """Train, evaluate, register ``grouplake_fraud_risk``; promote and ship if not worse.

    Args:
        settings: platform settings.
        con: DuckDB connection over the lake (default: a new one).
        holdout_months: held-out months (default :data:`models.ml.fraud.train.DEFAULT_HOLDOUT_MONTHS`).
        params: :class:`~models.ml.fraud.model.FraudModelParams`.
        cases_path: confirmed cases CSV (default: the demo's ground truth when the demo runs).
        tolerance: champion rule tolerance on the held-out PR-AUC.
    """
    from models.ml.features.catalog import catalog_markdown
    from models.ml.fraud.labels import demo_cases_path, load_labels
    from models.ml.fraud.snapshot import build_order_snapshot
    from models.ml.fraud.train import (
        DEFAULT_HOLDOUT_MONTHS,
        PRIMARY_METRIC,
        compute_frames,
        meets_floor,
        train_fraud,
    )
    from models.ml.risk import shipped_bundle_path

    con = _connect(settings, con)
    cases_path = cases_path or demo_cases_path(settings)
    labels = load_labels(cases_path, con)
    frames = compute_frames(con)
    training = train_fraud(frames, labels, holdout_months=holdout_months or DEFAULT_HOLDOUT_MONTHS,
                           params=params, label_source=str(cases_path) if cases_path else "none")
    training.model.snapshot = build_order_snapshot(con)
    manifest = {"model_name": FRAUD_MODEL_NAME, "primary_metric": PRIMARY_METRIC,
                "metrics": training.metrics, "trained_until": training.model.trained_until,
                "supervised_types": training.params["supervised_types"]}
    with tempfile.TemporaryDirectory() as tmp:
        bundle = save_bundle(Path(tmp) / "bundle.pkl", training.model, manifest)
        with registry_lock(settings):
            registered = log_training(
                settings, model_name=FRAUD_MODEL_NAME, python_model=mlflow_models.FRAUD_RISK, bundle_path=bundle,
                params=training.params, metrics=training.metrics,
                documents={"evaluation.json": training.evaluation, "features.md": catalog_markdown()},
                tags={"grouplake.split_date": training.split}, **_fraud_run_story(training),
            )
            decision = _decide(settings, FRAUD_MODEL_NAME, registered.version, PRIMARY_METRIC,
                               meets_floor(training.metrics), tolerance)
            shipped = None
            if decision.promoted:
                shipped = save_bundle(shipped_bundle_path(settings), training.model,
                                      {**manifest, "model_version": registered.version})
    return TrainOutcome(FRAUD_MODEL_NAME, registered, decision, training.metrics, training.evaluation,
                        training.params, training.seconds, shipped)


def train_recommender_model(
    settings: Any, *, con: Any | None = None, params: Any | None = None, tolerance: float = 0.0,
    progress: bool = False,
) -> TrainOutcome:
    """Train, evaluate, register ``grouplake_recommender`` (product + supplier rankers); promote if
    not worse (:mod:`models.ml.recommend.train`)."""
    from models.ml.recommend.train import PRIMARY_METRIC, meets_floor, train_recommender

    con = _connect(settings, con)
    training = train_recommender(con, params=params, progress=progress)
    manifest = {"model_name": RECOMMENDER_MODEL_NAME, "primary_metric": PRIMARY_METRIC,
                "metrics": training.metrics, "trained_until": training.model.trained_until}
    with tempfile.TemporaryDirectory() as tmp:
        bundle = save_bundle(Path(tmp) / "bundle.pkl", training.model, manifest)
        with registry_lock(settings):
            registered = log_training(
                settings, model_name=RECOMMENDER_MODEL_NAME, python_model=mlflow_models.RECOMMENDER,
                bundle_path=bundle, params=training.params, metrics=training.metrics,
                documents={"evaluation.json": training.evaluation}, tags={"grouplake.split": training.split},
                **_recommender_run_story(training),
            )
            decision = _decide(settings, RECOMMENDER_MODEL_NAME, registered.version, PRIMARY_METRIC,
                               meets_floor(training.metrics), tolerance)
    return TrainOutcome(RECOMMENDER_MODEL_NAME, registered, decision, training.metrics, training.evaluation,
                        training.params, training.seconds)


def _fmt(value: Any) -> str:
    import math

    return "n/a" if value is None or math.isnan(float(value)) else f"{float(value):.3f}"


def _fraud_run_story(training: Any) -> dict[str, Any]:
    """Run name, description and plots of a fraud training (held-out period vs baselines)."""
    from models.ml import plots

    m = training.metrics
    model, rules, forest = (m.get("holdout_pr_auc"), m.get("baseline_rules_pr_auc"),
                            m.get("baseline_isolation_forest_pr_auc"))
    held = training.holdout
    story: dict[str, Any] = {
        "run_name": f"fraud until {training.model.trained_until} · held-out PR-AUC {_fmt(model)} "
                    f"vs rules {_fmt(rules)}",
        "description": (
            f"Fraud risk model fitted on documents before {training.split}, judged on the held-out "
            f"documents from {training.split} ({len(held)} documents, {int(held['label'].sum()) if len(held) else 0} "
            f"confirmed cases). Held-out PR-AUC {_fmt(model)}; rules only {_fmt(rules)}; isolation "
            f"forest only {_fmt(forest)}. Labels: {training.params.get('label_source', 'n/a')}."),
        "figures": {},
    }
    if len(held) and held["label"].sum() > 0:
        scores = {"model": held["risk_score"], "rules": held.get("rules_score"),
                  "isolation forest": held.get("forest_score")}
        scores = {k: v for k, v in scores.items() if v is not None}
        story["figures"] = {
            "pr_curve_holdout": plots.pr_curves(held["label"], scores, title="Held-out precision-recall"),
            "calibration_holdout": plots.calibration(held["label"], held["risk_score"],
                                                     title="Held-out calibration of the risk score"),
            "baselines_pr_auc": plots.metric_bars(
                {k: v for k, v in {"model": model, "rules": rules, "isolation forest": forest}.items()
                 if v is not None}, title="Held-out PR-AUC: model vs baselines", metric="PR-AUC"),
        }
    return story


def _recommender_run_story(training: Any) -> dict[str, Any]:
    """Run name, description and plots of a recommender training (leave-last-order-out)."""
    from models.ml import plots

    evaluation = training.evaluation
    scorers = {name: evaluation[name] for name in ("model", "repeat", "popularity", "negative_control")
               if isinstance(evaluation.get(name), dict)}
    ndcg = {name: report.get("ndcg_at_10") for name, report in scorers.items()}
    figures = {}
    for metric in sorted({k for report in scorers.values() for k in report if k.endswith("_at_10")}):
        values = {name: float(report[metric]) for name, report in scorers.items() if report.get(metric) is not None}
        if values:
            figures[f"{metric}_vs_baselines"] = plots.metric_bars(
                values, title=f"{metric.replace('_', ' ')}: model vs baselines", metric=metric)
    by_k = (evaluation.get("data") or {}).get("ndcg_by_k") or {}
    if by_k:
        figures["ndcg_by_k"] = plots.metric_by_k(by_k, title="NDCG by list length: model vs baselines",
                                                 metric="NDCG@k")
    return {
        "run_name": f"recommender until {training.model.trained_until} · NDCG@10 {_fmt(ndcg.get('model'))} "
                    f"vs repeat {_fmt(ndcg.get('repeat'))}",
        "description": (
            f"Next-order recommender judged leave-last-order-out ({training.split}): NDCG@10 "
            f"{_fmt(ndcg.get('model'))}, repeat-your-own-most-frequent {_fmt(ndcg.get('repeat'))}, popularity "
            f"{_fmt(ndcg.get('popularity'))}, negative control {_fmt(ndcg.get('negative_control'))}; then "
            "fitted on the whole history."),
        "figures": figures,
    }


def _decide(settings: Any, name: str, version: str, metric: str, floor: tuple[bool, str],
            tolerance: float) -> PromotionDecision:
    """The floor first (a model below it is never champion), then the champion rule."""
    mlflow_client = client(settings)
    passed, reason = floor
    if not passed:
        return reject(mlflow_client, name, version, metric, reason)
    return promote_if_not_worse(mlflow_client, name, version, metric, tolerance=tolerance)


def load_champion(settings: Any, model_name: str) -> tuple[Any, dict[str, Any], str]:
    """``(model, manifest, version)`` of the current champion (via the MLflow registry).

    Raises:
        LookupError: no champion yet.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path, version = download_champion_bundle(settings, model_name, Path(tmp) / "bundle.pkl")
        model, manifest = load_bundle(path)
    return model, manifest, version


FRAUD_GOLD_ORDER = ["document_type", "document_id"]
RECOMMENDATION_GOLD_ORDER = ["business_unit_code", "buyer_id", "rank"]  # gold.ml_recommendations


def score_fraud(settings: Any, *, con: Any | None = None) -> tuple[pd.DataFrame, str]:
    """Rows of ``gold.ml_fraud_risk`` scored by the champion, and its version."""
    from models.ml.fraud.train import compute_frames

    model, _manifest, version = load_champion(settings, FRAUD_MODEL_NAME)
    frames = compute_frames(_connect(settings, con))
    scored = model.score(frames)
    keys = pd.concat([f[["document_type", "document_id", "business_unit_code", "vendor_id", "buyer_id",
                         "document_date", "amount", "currency", "amount_cny"]] for f in frames.values()],
                     ignore_index=True)
    rows = keys.merge(scored, on=["document_type", "document_id"], how="inner")
    rows["risk_rank"] = rows["risk_score"].rank(ascending=False, method="min").astype("int64")
    rows = rows.rename(columns={"anomaly": "anomaly_score"})
    rows["model_name"], rows["model_version"] = FRAUD_MODEL_NAME, version
    rows["scored_through"] = pd.to_datetime(rows["document_date"]).max()
    return rows.sort_values(FRAUD_GOLD_ORDER).reset_index(drop=True), version


def score_recommendations(settings: Any, *, con: Any | None = None) -> tuple[Any, str]:
    """Every recommender table (:class:`models.ml.recommend.score.ScoredTables`) scored by the
    champion on the current lake, and its version; model columns added."""
    from models.ml.recommend.score import score_tables

    con = _connect(settings, con)
    model, _manifest, version = load_champion(settings, RECOMMENDER_MODEL_NAME)
    tables = score_tables(model, con, version)
    through = tables.history_through
    for frame in (tables.recommendations, tables.related, tables.suppliers, tables.snapshot):
        frame["model_name"], frame["model_version"] = RECOMMENDER_MODEL_NAME, version
        frame["history_through"] = through
    tables.recommendations = tables.recommendations.sort_values(RECOMMENDATION_GOLD_ORDER).reset_index(drop=True)
    return tables, version
