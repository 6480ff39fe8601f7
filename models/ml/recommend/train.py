"""Train and evaluate the recommenders on the lake (what ``ml/recommender_model`` runs).

1. The purchase history (ERP purchase orders + platform orders, :mod:`.lake`) is judged
   leave-last-order-out (:mod:`.evaluate`): the product ranker, its negative control and the
   ``repeat`` / ``popularity`` baselines on the same held-out orders.
2. The supplier-choice model is trained and judged on a time split (:mod:`.suppliers`).
3. The registered bundle is the same recipe refitted on every order.

The floor (a version below it is never champion): held-out NDCG@10 ≥ the ``repeat``
baseline's — a recommender that does worse than "repeat your own most frequent" has no place
in front of a buyer.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from models.ml.features.interactions import vendor_quality
from models.ml.recommend.evaluate import evaluate_history
from models.ml.recommend.lake import erp_lines, erp_offers, purchase_history
from models.ml.recommend.ranker import RECIPE_VERSION, ProductRecommender, RankerParams, fit_ranker
from models.ml.recommend.signals import build_signals
from models.ml.recommend.suppliers import SupplierParams, SupplierRanker, fit_supplier_ranker
from models.ml.recommend.together import TogetherParams

if TYPE_CHECKING:
    import duckdb

#: the metric that decides the champion (higher is better).
PRIMARY_METRIC = "holdout_ndcg_at_10"
K = 10


def meets_floor(metrics: dict[str, float]) -> tuple[bool, str]:
    """Whether a model may become champion: held-out NDCG@10 >= the repeat baseline's (same run)."""
    value, baseline = metrics.get(PRIMARY_METRIC), metrics.get(f"baseline_repeat_ndcg_at_{K}")
    if value is None or baseline is None:
        return True, "no customer with a held-out order: not judged"
    ok = value >= baseline
    return ok, f"{PRIMARY_METRIC} {value:.4f} {'>=' if ok else '<'} repeat baseline {baseline:.4f}"


@dataclass
class RecommenderBundle:
    """What is registered: the product ranker, the supplier ranker and the association thresholds."""

    product: ProductRecommender
    suppliers: SupplierRanker
    together: TogetherParams
    trained_until: str = ""
    recipe_version: int = RECIPE_VERSION

    def recommend(self, tx: pd.DataFrame, k: int = K, at: pd.Timestamp | None = None) -> pd.DataFrame:
        """Next-order recommendations for every customer of ``tx`` (a normalised history) at ``at``
        (default: the history's last moment)."""
        signals = build_signals(tx, self.product.signal_params, cross=self.product.params.cross)
        at = at if at is not None else tx["ordered_at"].max()
        groups = tx.drop_duplicates("customer_id", keep="last").set_index("customer_id")["group_id"]
        targets = pd.DataFrame({"customer_id": groups.index, "at": at, "group_id": groups.to_numpy()})
        return self.product.recommend(signals, targets, k)


@dataclass
class RecommenderTraining:
    """Everything one training produced (what the registry logs)."""

    model: RecommenderBundle
    evaluation: dict[str, Any]
    metrics: dict[str, float]
    params: dict[str, Any]
    split: str
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def primary_metric(self) -> float:
        return self.metrics.get(PRIMARY_METRIC, float("nan"))


def _metrics(evaluation: dict[str, Any], suppliers: dict[str, float]) -> dict[str, float]:
    prefixes = {"model": "holdout_", "repeat": "baseline_repeat_", "popularity": "baseline_popularity_",
                "negative_control": "negative_control_"}
    out: dict[str, float] = {}
    for name, prefix in prefixes.items():
        for key, value in evaluation.get(name, {}).items():
            if isinstance(value, (int, float)) and not math.isnan(float(value)):
                out[f"{prefix}{key}"] = float(value)
    lift = evaluation.get("data", {}).get("lift_over_repeat")
    if lift is not None:
        out["ndcg_lift_over_repeat"] = float(lift)
    out.update({f"supplier_{k}": float(v) for k, v in suppliers.items() if not math.isnan(float(v))})
    return out


def train_recommender(con: duckdb.DuckDBPyConnection, *, params: RankerParams | None = None,
                      supplier_params: SupplierParams | None = None, together: TogetherParams | None = None,
                      progress: bool = False) -> RecommenderTraining:
    """Evaluate, then fit the registered bundle on everything.

    Args:
        con: DuckDB over the lake (``bronze.erp__*``, optionally ``bronze.tx__outbox_events``).
        params: product ranker parameters.
        supplier_params: supplier model parameters.
        together: association thresholds.
        progress: progress lines on stderr.
    """
    params, supplier_params = params or RankerParams(), supplier_params or SupplierParams()
    together = together or TogetherParams()
    started = time.perf_counter()
    history = purchase_history(con)
    evaluation = evaluate_history(history, K, params, progress=progress) if len(history) else {}
    t_eval = time.perf_counter()
    product = fit_ranker(history, params, progress=progress)
    lines = erp_lines(con)
    end = pd.Timestamp(lines["ordered_at"].max()) if len(lines) else pd.Timestamp.now(tz="UTC")
    suppliers = fit_supplier_ranker(lines, erp_offers(con), lambda at: vendor_quality(con, at.date()), end,
                                    supplier_params)
    evaluation["suppliers"] = suppliers.evaluation
    metrics = _metrics(evaluation, suppliers.evaluation)
    trained_until = str(history["ordered_at"].max().date()) if len(history) else ""
    run_params = {**{f"ranker_{k}": v for k, v in params.__dict__.items()},
                  **{f"supplier_{k}": v for k, v in supplier_params.__dict__.items()},
                  **{f"together_{k}": v for k, v in together.__dict__.items()},
                  "k": K, "lines": len(history), "orders": int(history["order_id"].nunique()) if len(history) else 0,
                  "customers": int(history["customer_id"].nunique()) if len(history) else 0,
                  "items": int(history["item_id"].nunique()) if len(history) else 0}
    bundle = RecommenderBundle(product, suppliers, together, trained_until)
    return RecommenderTraining(
        model=bundle, evaluation=evaluation, metrics=metrics, params=run_params,
        split="each customer's last order", seconds={"evaluate": round(t_eval - started, 3),
                                                     "total": round(time.perf_counter() - started, 3)})
