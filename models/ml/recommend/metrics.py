"""Top-k ranking metrics with binary relevance, averaged over customers.

For one customer with ranked list ``r`` (its first ``k`` items count) and relevant set ``R``
(the items of the held-out order):

* ``precision_at_k`` = |top-k ∩ R| / k (a list shorter than k is padded with misses);
* ``recall_at_k`` = |top-k ∩ R| / |R|;
* ``ndcg_at_k`` = DCG / IDCG with DCG = Σ_{i ∈ top-k, r_i ∈ R} 1 / log2(i + 1) (i from 1)
  and IDCG the same for a perfect list (min(k, |R|) hits first).

Every customer with a non-empty ``R`` counts, also when nothing was recommended to it (0).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """NDCG@k with binary gains.

    Example:
        >>> round(ndcg_at_k(["a", "b"], {"b"}, 10), 4)
        0.6309
    """
    dcg = sum(1.0 / math.log2(i + 2) for i, item in enumerate(ranked[:k]) if item in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def ranking_metrics(ranked: Mapping[str, Sequence[str]], relevant: Mapping[str, set[str]],
                    k: int) -> dict[str, float]:
    """Mean precision/recall/NDCG at ``k`` over the customers of ``relevant``.

    Args:
        ranked: customer -> recommended items, best first (missing customer: nothing).
        relevant: customer -> items of its held-out order (empty sets are skipped).
        k: cut-off.

    Returns:
        ``customers, precision_at_<k>, recall_at_<k>, ndcg_at_<k>``.

    Example:
        >>> ranking_metrics({"c": ["a", "b"]}, {"c": {"b", "z"}}, 2)["recall_at_2"]
        0.5
    """
    precision = recall = ndcg = 0.0
    n = 0
    for customer, rel in relevant.items():
        if not rel:
            continue
        top = list(ranked.get(customer, ()))[:k]
        hits = sum(item in rel for item in top)
        precision += hits / k
        recall += hits / len(rel)
        ndcg += ndcg_at_k(top, rel, k)
        n += 1
    if not n:
        return {"customers": 0, f"precision_at_{k}": math.nan, f"recall_at_{k}": math.nan,
                f"ndcg_at_{k}": math.nan}
    return {"customers": n, f"precision_at_{k}": precision / n, f"recall_at_{k}": recall / n,
            f"ndcg_at_{k}": ndcg / n}
