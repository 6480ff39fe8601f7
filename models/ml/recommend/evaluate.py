"""Held-out evaluation of supplier recommendations.

Relevant vendors of a buyer are those it ordered from *in the held-out period* and never
before (new suppliers: exactly what the recommendation proposes). Metrics are averaged over
buyers with at least one relevant vendor: precision@k, recall@k, NDCG@k (binary gain) and
hit rate. When the demo's ground truth is at hand, ``bad_share_at_k`` is the share of
recommended vendors that are chronically late or defective (lower is better): it shows what
the quality blend buys. Ground truth is read here only, never by the model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd


def relevant_new_vendors(train: pd.DataFrame, test: pd.DataFrame) -> dict[str, set[str]]:
    """Per buyer: vendors ordered from in ``test`` but not in ``train`` (buyers with none left out)."""
    seen = train.groupby("buyer_id")["vendor_id"].agg(set).to_dict()
    out = {}
    for buyer, vendors in test.groupby("buyer_id")["vendor_id"].agg(set).items():
        new = vendors - seen.get(buyer, set())
        if new:
            out[buyer] = new
    return out


def ndcg_at_k(ranked: list[str], relevant: set[str], k: int) -> float:
    """NDCG@k with binary gains."""
    dcg = sum(1.0 / math.log2(i + 2) for i, v in enumerate(ranked[:k]) if v in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def evaluate_recommendations(
    recommendations: pd.DataFrame,
    relevant: Mapping[str, set[str]],
    k: int = 10,
    bad_vendors: set[str] | None = None,
) -> dict[str, float]:
    """Ranking metrics of ``recommendations`` (``buyer_id, rank, vendor_id``) against ``relevant``.

    Returns:
        ``users, precision_at_k, recall_at_k, ndcg_at_k, hit_rate_at_k`` (names with the real
        ``k``) and, with ``bad_vendors``, ``bad_share_at_k``.

    Example:
        >>> recs = pd.DataFrame({"buyer_id": ["b", "b"], "rank": [1, 2], "vendor_id": ["v1", "v2"]})
        >>> evaluate_recommendations(recs, {"b": {"v2"}}, k=2)["recall_at_2"]
        1.0
    """
    ranked = (recommendations.sort_values(["buyer_id", "rank"]).groupby("buyer_id")["vendor_id"].agg(list).to_dict()
              if len(recommendations) else {})
    precision, recall, ndcg, hits = [], [], [], []
    for buyer, rel in relevant.items():
        top = ranked.get(buyer, [])[:k]
        found = sum(v in rel for v in top)
        precision.append(found / k)
        recall.append(found / len(rel))
        ndcg.append(ndcg_at_k(top, rel, k))
        hits.append(float(found > 0))
    out = {
        "users": len(relevant),
        f"precision_at_{k}": float(np.mean(precision)) if precision else math.nan,
        f"recall_at_{k}": float(np.mean(recall)) if recall else math.nan,
        f"ndcg_at_{k}": float(np.mean(ndcg)) if ndcg else math.nan,
        f"hit_rate_at_{k}": float(np.mean(hits)) if hits else math.nan,
    }
    if bad_vendors is not None:
        shown = [v for vs in ranked.values() for v in vs[:k]]
        out[f"bad_share_at_{k}"] = float(np.mean([v in bad_vendors for v in shown])) if shown else math.nan
    return out


def demo_bad_vendors(settings) -> set[str] | None:
    """Vendor ids of the demo's chronically late or defective suppliers (evaluation only)."""
    if not settings.uses_demo_sources:
        return None
    directory = Path(settings.demo.dir) / "ground_truth"
    files = [directory / "late_suppliers.csv", directory / "defective_suppliers.csv"]
    if not all(f.exists() for f in files):
        return None
    bad: set[str] = set()
    for path in files:
        for ids in pd.read_csv(path, dtype=str, keep_default_na=False)["vendor_ids"]:
            bad.update(v for v in ids.split(";") if v)
    return bad
