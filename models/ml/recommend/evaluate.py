"""Leave-last-order-out evaluation of the product recommender against its baselines.

Each customer's last order is held out (customers with a single order have no history and
are not judged; their count is reported); the model, its negative control (cross-buyer
signals off) and the baselines see only the orders before the held-out ones. Each
recommends ``k`` items at the held-out order's time (the moment the customer orders); the
relevant items are the held-out order's. Metrics: :mod:`.metrics`.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import replace
from typing import Any

import pandas as pd

from models.ml.recommend.baselines import popularity_ranking, repeat_ranking
from models.ml.recommend.metrics import ranking_metrics
from models.ml.recommend.ranker import RankerParams, fit_ranker
from models.ml.recommend.signals import build_signals
from models.ml.recommend.transactions import split_last_order


def _say(message: str, progress: bool) -> None:
    if progress:
        print(message, file=sys.stderr, flush=True)


def _rounded(metrics: dict[str, float], digits: int = 4) -> dict[str, Any]:
    return {key: (round(value, digits) if isinstance(value, float) else value) for key, value in metrics.items()}


def model_ranking(history: pd.DataFrame, targets: pd.DataFrame, k: int, params: RankerParams,
                  *, progress: bool = False) -> dict[str, list[str]]:
    """Fit on ``history`` and rank ``k`` items for every target (``customer_id, at, group_id``)."""
    model = fit_ranker(history, params, progress=progress)
    signals = build_signals(history, model.signal_params, cross=params.cross)
    recs = model.recommend(signals, targets, k, reasons=False)
    return recs.groupby("customer_id")["item_id"].agg(list).to_dict()


#: list lengths of ``data.ndcg_by_k`` (plus ``k`` itself).
CUTOFFS = (1, 3, 5, 10, 20)


def evaluate_history(tx: pd.DataFrame, k: int = 10, params: RankerParams | None = None, *,
                     negative_control: bool = True, progress: bool = False) -> dict[str, Any]:
    """Hold out each customer's last order; judge model, negative control and baselines.

    Args:
        tx: a normalised transactions frame (:func:`.transactions.normalise`).
        k: list length.
        params: the model's parameters (``cross`` is forced on for the model, off for the control).
        negative_control: also evaluate the model with cross-buyer signals switched off.
        progress: progress lines on stderr.

    Returns:
        ``{"model": {...}, "repeat": {...}, "popularity": {...}, "negative_control": {...},
        "data": {...}}``; each metrics dict has ``customers, precision_at_k, recall_at_k,
        ndcg_at_k``.

    Example:
        >>> evaluate_history(tx, k=10)["model"]["ndcg_at_10"]  # doctest: +SKIP
    """
    params = params or RankerParams()
    started = time.perf_counter()
    split = split_last_order(tx)
    relevant = split.target.groupby("customer_id")["item_id"].agg(set).to_dict()
    targets = split.target.drop_duplicates("order_id")[["customer_id", "ordered_at", "group_id"]]
    targets = targets.rename(columns={"ordered_at": "at"}).reset_index(drop=True)
    _say(f"reco: {len(tx)} lines, {tx['order_id'].nunique()} orders, {tx['customer_id'].nunique()} customers, "
         f"{tx['item_id'].nunique()} items; {len(targets)} held-out orders", progress)
    report: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    rankings: dict[str, dict[str, list[str]]] = {}
    t = time.perf_counter()
    rankings["model"] = model_ranking(split.history, targets, k, replace(params, cross=True), progress=progress)
    seconds["model"] = round(time.perf_counter() - t, 2)
    rankings["repeat"] = repeat_ranking(split.history, relevant, k)
    top = popularity_ranking(split.history, k)
    rankings["popularity"] = {c: top for c in relevant}
    if negative_control:
        t = time.perf_counter()
        _say("reco: negative control (cross-buyer signals off)", progress)
        rankings["negative_control"] = model_ranking(split.history, targets, k, replace(params, cross=False),
                                                     progress=progress)
        seconds["negative_control"] = round(time.perf_counter() - t, 2)
    for name, ranked in rankings.items():
        report[name] = _rounded(ranking_metrics(ranked, relevant, k))
    ndcg = f"ndcg_at_{k}"
    report["data"] = {
        "lines": len(tx), "orders": int(tx["order_id"].nunique()), "customers": int(tx["customer_id"].nunique()),
        "items": int(tx["item_id"].nunique()), "held_out_orders": len(targets),
        "single_order_customers_not_judged": split.single_order_customers, "k": k,
        "lift_over_repeat": _lift(report["model"][ndcg], report["repeat"][ndcg]),
        "lift_over_popularity": _lift(report["model"][ndcg], report["popularity"][ndcg]),
        # the same lists cut shorter: how early each scorer finds the held-out items
        "ndcg_by_k": {name: {str(cut): round(ranking_metrics(ranked, relevant, cut)[f"ndcg_at_{cut}"], 4)
                             for cut in sorted({*CUTOFFS, k}) if cut <= k}
                      for name, ranked in rankings.items()},
        "params": {k_: v for k_, v in params.__dict__.items() if k_ != "cross"},
        "seconds": {**seconds, "total": round(time.perf_counter() - started, 2)},
    }
    return report


def _lift(value: float, baseline: float) -> float | None:
    """``value / baseline - 1`` (None when the baseline is 0 or missing)."""
    if not baseline or math.isnan(baseline):
        return None
    return round(value / baseline - 1.0, 4)
