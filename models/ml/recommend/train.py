"""Train and evaluate the supplier recommender on the lake, split by time.

The configured model and the plain CF variants (popularity, item-kNN, SVD, all without the
quality blend) are fitted on the orders before the split, with vendor quality measured up
to the split, and judged on the buyers' new vendors after it (:mod:`.evaluate`), all in the
same run, so the popularity baseline is always next to the model. The registered model is
the configured recipe refitted on every order with quality up to the latest data.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.ml.features.interactions import purchase_events, vendor_catalogue, vendor_quality
from models.ml.features.sources import FeatureConfig, Sources
from models.ml.fraud.evaluate import split_date
from models.ml.recommend.evaluate import evaluate_recommendations, relevant_new_vendors
from models.ml.recommend.model import RecommenderParams, SupplierRecommender, fit_recommender

if TYPE_CHECKING:
    import duckdb

#: the metric that decides the champion (higher is better).
PRIMARY_METRIC = "holdout_ndcg_at_10"
DEFAULT_HOLDOUT_MONTHS = 6
K = 10
#: a model is never promoted when its held-out NDCG is below this share of popularity's.
FLOOR_VS_POPULARITY = 0.9


def meets_floor(metrics: dict[str, float]) -> tuple[bool, str]:
    """Whether a model may become champion: NDCG@10 >= 0.9 x the popularity baseline's (same run)."""
    value, baseline = metrics.get(PRIMARY_METRIC), metrics.get(f"baseline_popularity_ndcg_at_{K}")
    if value is None or baseline is None:
        return True, "no held-out buyer with new vendors: not judged"
    floor = FLOOR_VS_POPULARITY * baseline
    ok = value >= floor
    return ok, f"{PRIMARY_METRIC} {value:.4f} {'>=' if ok else '<'} {FLOOR_VS_POPULARITY} x popularity {baseline:.4f}"


@dataclass
class RecommenderTraining:
    """Everything one training produced (what the registry logs)."""

    model: SupplierRecommender
    evaluation: dict[str, Any]
    metrics: dict[str, float]
    params: dict[str, Any]
    split: str
    events: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    catalogue: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def primary_metric(self) -> float:
        return self.metrics.get(PRIMARY_METRIC, float("nan"))


def variants(params: RecommenderParams) -> dict[str, RecommenderParams]:
    """The configured model and the plain baselines evaluated next to it."""
    plain = {m: replace(params, method=m, quality_weight=0.0, popularity_blend=0.0)
             for m in ("popularity", "item_knn", "svd")}
    return {"model": params, **plain}


def train_recommender(
    con: duckdb.DuckDBPyConnection,
    *,
    holdout_months: int = DEFAULT_HOLDOUT_MONTHS,
    params: RecommenderParams | None = None,
    sources: Sources | None = None,
    config: FeatureConfig | None = None,
    bad_vendors: set[str] | None = None,
) -> RecommenderTraining:
    """Fit, evaluate on the held-out months against the baselines, refit on everything.

    Args:
        con: DuckDB connection over the lake (or test tables named by ``sources``).
        holdout_months: the last months held out.
        params: the configured model.
        sources: relation names.
        config: business constants (time zone, group currency).
        bad_vendors: vendor ids known to be chronically late/defective (evaluation only).
    """
    params = params or RecommenderParams()
    started = time.perf_counter()
    events = purchase_events(con, sources, config)
    catalogue = vendor_catalogue(con, sources)
    first_holdout = split_date(events["order_date"], holdout_months)
    dates = pd.to_datetime(events["order_date"])
    train, test = events[dates < first_holdout], events[dates >= first_holdout]
    onboarded = pd.to_datetime(catalogue["onboarded_date"])
    # status is today's; at the split every vendor onboarded by then was a candidate
    candidates = catalogue[onboarded < first_holdout].assign(status="active")
    quality_then = vendor_quality(con, first_holdout.date(), sources, config)
    relevant = relevant_new_vendors(train, test)

    evaluation: dict[str, Any] = {"split_date": str(first_holdout.date()), "holdout_months": holdout_months,
                                  "k": K, "variants": {}}
    for name, variant in variants(params).items():
        model = fit_recommender(train, candidates, quality_then, variant)
        recs = model.recommend(train, candidates, top_n=K)
        evaluation["variants"][name] = evaluate_recommendations(recs, relevant, K, bad_vendors)
    t_eval = time.perf_counter()

    metrics: dict[str, float] = {}
    for name, report in evaluation["variants"].items():
        prefix = "holdout_" if name == "model" else f"baseline_{name}_"
        metrics.update({f"{prefix}{k}": float(v) for k, v in report.items() if not math.isnan(float(v))})
    popularity = metrics.get(f"baseline_popularity_ndcg_at_{K}")
    if popularity and PRIMARY_METRIC in metrics:
        metrics["ndcg_lift_over_popularity"] = metrics[PRIMARY_METRIC] / popularity

    final = fit_recommender(events, catalogue, vendor_quality(con, None, sources, config), params,
                            trained_until=str(dates.max().date()) if len(dates) else "")
    run_params = {
        **{f"model_{k}": v for k, v in params.__dict__.items()},
        "holdout_months": holdout_months, "split_date": str(first_holdout.date()), "k": K,
        "events": len(events), "buyers": int(events["buyer_id"].nunique()), "vendors": len(catalogue),
        "holdout_buyers_with_new_vendors": len(relevant),
    }
    return RecommenderTraining(
        model=final, evaluation=evaluation, metrics=metrics, params=run_params,
        split=str(first_holdout.date()), events=events, catalogue=catalogue,
        seconds={"fit_and_evaluate": round(t_eval - started, 3), "total": round(time.perf_counter() - started, 3)},
    )
