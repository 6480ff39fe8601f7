"""The two baselines every product recommender is judged against.

* ``repeat`` — the customer's own items, most often ordered first (ties: most recently
  ordered first, then item id): "repeat your own most frequent". In B2B buying most orders
  repeat, so this is the one to beat.
* ``popularity`` — the items most customers bought (ties: more orders, then item id), the
  same list for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def repeat_ranking(history: pd.DataFrame, customers: Iterable[str], k: int) -> dict[str, list[str]]:
    """Each customer's own top-``k`` items by order count, then recency, then id.

    Example:
        >>> from models.ml.recommend.transactions import normalise
        >>> h = normalise(pd.DataFrame({"customer_id": ["a"] * 3, "item_id": ["x", "y", "y"],
        ...     "order_id": ["1", "1", "2"], "ordered_at": ["2025-01-01", "2025-01-01", "2025-01-02"]}))
        >>> repeat_ranking(h, ["a"], 10)
        {'a': ['y', 'x']}
    """
    wanted = set(customers)
    own = history[history["customer_id"].isin(wanted)]
    stats = own.groupby(["customer_id", "item_id"]).agg(n=("order_id", "nunique"), last=("ordered_at", "max"))
    stats = stats.reset_index().sort_values(["customer_id", "n", "last", "item_id"],
                                            ascending=[True, False, False, True], kind="stable")
    ranked = stats.groupby("customer_id")["item_id"].agg(lambda s: list(s)[:k]).to_dict()
    return {c: ranked.get(c, []) for c in wanted}


def popularity_ranking(history: pd.DataFrame, k: int) -> list[str]:
    """The ``k`` items bought by the most customers (then most orders, then id)."""
    stats = history.groupby("item_id").agg(customers=("customer_id", "nunique"), orders=("order_id", "nunique"))
    stats = stats.reset_index().sort_values(["customers", "orders", "item_id"], ascending=[False, False, True],
                                            kind="stable")
    return stats["item_id"].head(k).tolist()
