"""Train and evaluate the fraud-risk model on the lake, honestly split by time.

1. Features of every purchase order, invoice and payment (SQL over the lake).
2. Labels (confirmed cases) attached, if any exist; they never enter the features.
3. The recipe is fitted on documents dated before the split and scored on the held-out
   documents after it, next to two label-free baselines fitted on the same training period:
   the red-flag rules (flags fired + anomaly) and the IsolationForest alone.
4. The model that is registered is the same recipe refitted on every document (more
   confirmed cases); its quality is the held-out figure of step 3.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd

from models.ml.features.invoices import invoice_features
from models.ml.features.orders import order_features
from models.ml.features.payments import payment_features
from models.ml.features.sources import FeatureConfig, Sources
from models.ml.fraud.evaluate import evaluate_scores, flatten_metrics, split_date
from models.ml.fraud.labels import attach_labels
from models.ml.fraud.model import FraudModelParams, FraudRiskModel, fit_fraud_model

#: the metric that decides the champion (higher is better).
PRIMARY_METRIC = "holdout_pr_auc"
DEFAULT_HOLDOUT_MONTHS = 8
#: a model below this held-out PR-AUC is never promoted (random ranking scores ~ the fraud rate, 0.2%).
METRIC_FLOOR = 0.25
#: ... nor one more than this below the label-free red-flag rules on the same held-out documents.
RULES_MARGIN = 0.05


def meets_floor(metrics: dict[str, float]) -> tuple[bool, str]:
    """Whether a model may become champion: held-out PR-AUC >= max(:data:`METRIC_FLOOR`,
    rules baseline - :data:`RULES_MARGIN`).

    Without a held-out figure (no confirmed cases in the held-out period) there is nothing
    to judge: the model passes (it may still replace *no* champion; the champion rule keeps
    an evaluated champion).
    """
    value = metrics.get(PRIMARY_METRIC)
    if value is None or math.isnan(value):
        return True, f"{PRIMARY_METRIC} not measurable (no confirmed cases held out): not judged"
    rules = metrics.get("baseline_rules_pr_auc")
    floor = max(METRIC_FLOOR, rules - RULES_MARGIN) if rules is not None else METRIC_FLOOR
    ok = value >= floor
    basis = f"max({METRIC_FLOOR}, rules {rules:.4f} - {RULES_MARGIN})" if rules is not None else f"{METRIC_FLOOR}"
    return ok, f"{PRIMARY_METRIC} {value:.4f} {'>=' if ok else '<'} floor {floor:.4f} = {basis}"


def compute_frames(
    con: duckdb.DuckDBPyConnection, sources: Sources | None = None, config: FeatureConfig | None = None
) -> dict[str, pd.DataFrame]:
    """Feature frames of every document type (document type -> frame)."""
    return {
        "purchase_order": order_features(con, sources, config),
        "ap_invoice": invoice_features(con, sources, config),
        "payment": payment_features(con, sources, config),
    }


@dataclass
class FraudTraining:
    """Everything one training produced (what the registry logs)."""

    model: FraudRiskModel
    evaluation: dict[str, Any]
    metrics: dict[str, float]
    params: dict[str, Any]
    split: str
    frames: dict[str, pd.DataFrame] = field(repr=False, default_factory=dict)
    holdout: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def primary_metric(self) -> float:
        return self.metrics.get(PRIMARY_METRIC, float("nan"))


def _without_labels(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {t: f.drop(columns=["label"], errors="ignore") for t, f in frames.items()}


def train_fraud(
    frames: dict[str, pd.DataFrame],
    labels: pd.DataFrame | None,
    *,
    holdout_months: int = DEFAULT_HOLDOUT_MONTHS,
    params: FraudModelParams | None = None,
    label_source: str = "",
) -> FraudTraining:
    """Fit, evaluate on the held-out period, refit on everything.

    Args:
        frames: feature frames by document type (:func:`compute_frames`).
        labels: ``document_type, document_id, kind`` or ``None`` (unsupervised only).
        holdout_months: the last months held out for evaluation.
        params: model hyperparameters.
        label_source: where the labels came from (logged).

    Returns:
        A :class:`FraudTraining`; ``metrics`` is empty of held-out figures without labels.
    """
    params = params or FraudModelParams()
    started = time.perf_counter()
    labelled = {t: attach_labels(f, labels) for t, f in frames.items()}
    all_dates = pd.concat([pd.to_datetime(f["document_date"]) for f in labelled.values() if len(f)])
    first_holdout = split_date(all_dates, holdout_months)
    train = {t: f[pd.to_datetime(f["document_date"]) < first_holdout] for t, f in labelled.items()}
    test = {t: f[pd.to_datetime(f["document_date"]) >= first_holdout] for t, f in labelled.items()}
    use_labels = labels is not None and not labels.empty
    fit_frames = train if use_labels else _without_labels(train)

    candidate = fit_fraud_model(fit_frames, params, trained_until=str((first_holdout - pd.Timedelta(days=1)).date()))
    rules = fit_fraud_model(_without_labels(train), params)
    t_fit = time.perf_counter()

    held = candidate.score(test)
    keys = ["document_type", "document_id"]
    truth = pd.concat([f[[*keys, "label", "kinds"]] for f in test.values()], ignore_index=True)
    held = held.merge(truth, on=keys, how="left")
    baseline = rules.score(test)[[*keys, "risk_score", "anomaly"]].rename(
        columns={"risk_score": "rules_score", "anomaly": "forest_score"})
    held = held.merge(baseline, on=keys, how="left")

    evaluation: dict[str, Any] = {"split_date": str(first_holdout.date()), "holdout_months": holdout_months}
    metrics: dict[str, float] = {}
    if use_labels and held["label"].sum() > 0:
        evaluation["model"] = evaluate_scores(held, "risk_score")
        evaluation["baselines"] = {
            "rules": evaluate_scores(held, "rules_score"),
            "isolation_forest": evaluate_scores(held, "forest_score"),
        }
        metrics = flatten_metrics(evaluation["model"], "holdout_")
        metrics[PRIMARY_METRIC] = evaluation["model"]["overall"]["pr_auc"]
        for name, report in evaluation["baselines"].items():
            metrics[f"baseline_{name}_pr_auc"] = report["overall"]["pr_auc"]
    evaluation["holdout_positives"] = int(held["label"].sum())
    metrics = {k: v for k, v in metrics.items() if not math.isnan(v)}

    final = fit_fraud_model(labelled if use_labels else _without_labels(labelled), params,
                            trained_until=str(all_dates.max().date()))
    t_end = time.perf_counter()
    run_params = {
        **{f"model_{k}": v for k, v in params.__dict__.items()},
        "holdout_months": holdout_months,
        "split_date": str(first_holdout.date()),
        "label_source": label_source or ("none" if not use_labels else "given"),
        "supervised_types": ",".join(t for t, m in final.models.items() if m.supervised) or "none",
        **{f"documents_{t}": len(f) for t, f in frames.items()},
        **{f"train_positives_{t}": int(f["label"].sum()) for t, f in train.items()},
    }
    return FraudTraining(
        model=final, evaluation=evaluation, metrics=metrics, params=run_params,
        split=str(first_holdout.date()), frames=frames, holdout=held,
        seconds={"fit_and_evaluate": round(t_fit - started, 3), "total": round(t_end - started, 3)},
    )
