"""Held-out evaluation of fraud-risk scores: a split by time, ranking metrics, per fraud kind.

The model is fitted on documents dated before the split and judged on the documents dated
on or after it (never on its training data). An audit team works down a ranked list, so the
metrics are ranking metrics: precision and recall among the top ``k`` documents of the
pooled list, and average precision (PR-AUC). Per fraud kind, the kind's documents are the
positives among their own document type, documents of other kinds are left out (they are
neither hits nor false alarms for this kind), and recall is measured at a review budget of
1% of that type's documents.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

#: cut-offs of the pooled ranking.
TOP_KS: tuple[int, ...] = (10, 25, 50, 100)
#: per-kind review budget: this share of the document type's held-out documents.
REVIEW_BUDGET = 0.01


def split_date(dates: pd.Series, holdout_months: int) -> pd.Timestamp:
    """The first held-out day: the latest date minus ``holdout_months`` months (plus one day)."""
    last = pd.Timestamp(pd.to_datetime(dates).max()).normalize()
    return last - pd.DateOffset(months=holdout_months) + pd.Timedelta(days=1)


def precision_at_k(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Share of positives among the ``k`` highest scores (ties broken by position)."""
    if len(labels) == 0:
        return math.nan
    top = np.argsort(-scores, kind="stable")[: min(k, len(labels))]
    return float(labels[top].sum() / k)


def recall_at_k(labels: np.ndarray, scores: np.ndarray, k: int) -> float:
    """Share of all positives found among the ``k`` highest scores (NaN without positives)."""
    total = labels.sum()
    if total == 0:
        return math.nan
    top = np.argsort(-scores, kind="stable")[: min(k, len(labels))]
    return float(labels[top].sum() / total)


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """PR-AUC as average precision (NaN without positives or without negatives)."""
    from sklearn.metrics import average_precision_score

    if labels.sum() == 0 or labels.sum() == len(labels):
        return math.nan
    return float(average_precision_score(labels, scores))


def ranking_metrics(labels: np.ndarray, scores: np.ndarray, ks: Sequence[int] = TOP_KS) -> dict[str, float]:
    """``pr_auc``, ``precision_at_<k>``, ``recall_at_<k>``, ``positives``, ``documents``."""
    labels, scores = np.asarray(labels, dtype=int), np.asarray(scores, dtype=float)
    out: dict[str, float] = {
        "documents": len(labels),
        "positives": int(labels.sum()),
        "pr_auc": average_precision(labels, scores),
    }
    for k in ks:
        out[f"precision_at_{k}"] = precision_at_k(labels, scores, k)
        out[f"recall_at_{k}"] = recall_at_k(labels, scores, k)
    return out


def kind_metrics(scored: pd.DataFrame, score_column: str = "risk_score") -> dict[str, dict[str, float]]:
    """Per fraud kind: positives, PR-AUC and recall at the review budget, within its document type.

    Args:
        scored: held-out documents with ``document_type``, ``kinds`` (';'-joined) and scores.
    """
    out: dict[str, dict[str, float]] = {}
    kind_sets = pd.Series([frozenset(k for k in ks.split(";") if k) for ks in scored["kinds"]], index=scored.index)
    kinds = sorted(set().union(*kind_sets)) if len(kind_sets) else []
    for kind in kinds:
        has_kind = kind_sets.apply(lambda ks, kind=kind: kind in ks)
        document_type = scored.loc[has_kind, "document_type"].iloc[0]
        pool = scored[(scored["document_type"] == document_type) & (has_kind | (scored["kinds"] == ""))]
        labels = has_kind[pool.index].to_numpy().astype(int)
        scores = pool[score_column].to_numpy(dtype=float)
        budget = max(1, math.ceil(REVIEW_BUDGET * len(pool)))
        ranks = pd.Series(scores).rank(ascending=False, method="max").to_numpy()[labels == 1]
        out[kind] = {
            "document_type": document_type,
            "positives": int(labels.sum()),
            "pr_auc": average_precision(labels, scores),
            "review_budget": budget,
            "recall_at_budget": recall_at_k(labels, scores, budget),
            "worst_rank": int(ranks.max()) if len(ranks) else -1,
        }
    return out


def evaluate_scores(scored: pd.DataFrame, score_column: str = "risk_score") -> dict:
    """The full held-out report of one scorer.

    Args:
        scored: held-out documents: ``document_type``, ``label`` (0/1), ``kinds``, ``score_column``.

    Returns:
        ``{"overall": {...}, "by_document_type": {type: {...}}, "by_kind": {kind: {...}}}``.
    """
    labels, scores = scored["label"].to_numpy(), scored[score_column].to_numpy(dtype=float)
    return {
        "overall": ranking_metrics(labels, scores),
        "by_document_type": {
            t: ranking_metrics(g["label"].to_numpy(), g[score_column].to_numpy(dtype=float))
            for t, g in scored.groupby("document_type", sort=True)
        },
        "by_kind": kind_metrics(scored, score_column),
    }


def flatten_metrics(report: dict, prefix: str = "") -> dict[str, float]:
    """MLflow-style flat metric names (``overall.pr_auc`` -> ``overall_pr_auc``); NaN kept out."""
    flat: dict[str, float] = {}
    for key, value in report.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_metrics(value, f"{name}_"))
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(float(value)):
            flat[name] = float(value)
    return flat
