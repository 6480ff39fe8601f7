""""Often ordered together": association rules between SKUs from the group's order lines.

For SKUs ``a`` and ``b`` over all orders (ERP purchase orders and platform orders):

* ``support`` = share of orders holding both;
* ``confidence`` = P(b in the order | a in it) = orders with both / orders with ``a``;
* ``lift`` = confidence / share of orders holding ``b`` (> 1: more often together than chance).

A pair is kept when it was ordered together at least ``min_orders`` times and its lift is
above ``min_lift``; per SKU the ``top_n`` related SKUs by confidence (then lift, then code).
Each row carries its reason ("ordered together in 42 orders: 61% of the orders of A").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

RELATED_COLUMNS = ["sku", "rank", "related_sku", "orders_together", "orders_with_sku", "support", "confidence",
                   "lift", "reason"]


@dataclass(frozen=True)
class TogetherParams:
    """Thresholds of the association rules (logged with the model)."""

    min_orders: int = 3
    min_lift: float = 1.0
    top_n: int = 10


def related_items(tx: pd.DataFrame, params: TogetherParams | None = None,
                  names: dict[str, str] | None = None) -> pd.DataFrame:
    """Top related SKUs per SKU (see the module docstring).

    Args:
        tx: a transactions frame (``item_id``, ``order_id``).
        params: thresholds.
        names: SKU code -> name for the reason text.

    Returns:
        :data:`RELATED_COLUMNS`, sorted by ``sku, rank``.

    Example:
        >>> tx = pd.DataFrame({"order_id": ["1", "1", "2", "2", "3"], "item_id": ["a", "b", "a", "b", "c"]})
        >>> related_items(tx, TogetherParams(min_orders=2))[["sku", "related_sku", "confidence"]].values.tolist()
        [['a', 'b', 1.0], ['b', 'a', 1.0]]
    """
    params = params or TogetherParams()
    names = names or {}
    if tx.empty:
        return pd.DataFrame(columns=RELATED_COLUMNS)
    items, item_pos = np.unique(tx["item_id"].astype(str).to_numpy(), return_inverse=True)
    orders, order_pos = np.unique(tx["order_id"].astype(str).to_numpy(), return_inverse=True)
    baskets = sp.csr_matrix((np.ones(len(tx)), (order_pos, item_pos)), shape=(len(orders), len(items)))
    baskets.data[:] = 1.0
    baskets.sum_duplicates()
    baskets.data[:] = 1.0
    holding = np.asarray(baskets.sum(axis=0)).ravel()
    together = (baskets.T @ baskets).tocoo()
    keep = (together.row != together.col) & (together.data >= params.min_orders)
    a, b, n = together.row[keep], together.col[keep], together.data[keep]
    confidence = n / holding[a]
    lift = confidence / (holding[b] / len(orders))
    frame = pd.DataFrame({"sku": items[a], "related_sku": items[b], "orders_together": n.astype(np.int64),
                          "orders_with_sku": holding[a].astype(np.int64), "support": n / len(orders),
                          "confidence": confidence, "lift": lift})
    frame = frame[frame["lift"] > params.min_lift]
    frame = frame.sort_values(["sku", "confidence", "lift", "related_sku"], ascending=[True, False, False, True],
                              kind="stable")
    frame = frame.groupby("sku", sort=False).head(params.top_n).copy()
    frame["rank"] = frame.groupby("sku", sort=False).cumcount() + 1
    frame["reason"] = [f"ordered together in {int(k)} orders: {c:.0%} of the orders of {names.get(s, s)}"
                       for k, c, s in zip(frame["orders_together"], frame["confidence"], frame["sku"], strict=True)]
    return frame[RELATED_COLUMNS].reset_index(drop=True)
