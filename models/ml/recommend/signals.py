"""What a purchase history says, computed once per history: the inputs of candidates and features.

:class:`HistorySignals` indexes a transactions frame (:mod:`.transactions`) and holds:

* own history — per (customer, item): orders containing it, first and last purchase, the
  customer's own mean interval between purchases of it; per customer: orders, last order
  and its items, mean interval between orders;
* items bought together — ``conf[a, i]`` = share of the orders holding ``a`` that also hold
  ``i`` (association confidence; lift = conf / share of orders holding ``i``), diagonal 0;
* similar buyers — cosine similarity of customers' item sets (``ln(1 + orders)`` weights),
  the ``neighbours`` most similar kept per customer;
* popularity and trend — share of customers (of the group, and overall) who bought the item,
  share of orders holding it in the last ``trend_days`` of the history vs overall, and per
  calendar month (seasonality).

Cross-buyer signals (everything but own history) can be switched off
(``cross_signals=False``): the negative control of the evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

DAY_SECONDS = 86400.0
#: per-order decay of the recency-weighted purchase counts (slow and fast memory).
DECAY, DECAY_FAST = 0.9, 0.6
EPOCH = pd.Timestamp(0, tz="UTC")


def epoch_seconds(values: pd.Series) -> np.ndarray:
    """UTC timestamps (any resolution) as float seconds since the epoch."""
    times = pd.to_datetime(values, utc=True)
    return ((times - EPOCH) / pd.Timedelta(seconds=1)).to_numpy(dtype=float)


@dataclass(frozen=True)
class SignalParams:
    """Knobs of the signals (logged with the model).

    Args:
        neighbours: similar customers kept per customer.
        trend_days: the "recent" window at the end of the history.
        min_pair_orders: item pairs seen together in fewer orders get confidence 0.
    """

    neighbours: int = 30
    trend_days: int = 28
    min_pair_orders: int = 2


@dataclass
class HistorySignals:
    """Indexes and statistics of one history (see the module docstring)."""

    params: SignalParams
    items: np.ndarray  # item ids, index order
    customers: np.ndarray  # customer ids, index order
    item_index: dict[str, int]
    customer_index: dict[str, int]
    pairs: pd.DataFrame  # customer, item (indices), n, first/last_s, first/last_back, decay*, interval_*
    customer_stats: pd.DataFrame  # index = customer idx: n_orders, last_s, first_s, gap_days, group
    last_items: list[np.ndarray]  # per customer idx: item indices of its last order
    recent_items: list[np.ndarray]  # per customer idx: item indices of its last 3 orders
    end_s: float  # last timestamp of the history (seconds)
    cross: bool = True
    conf: sp.csr_matrix | None = None  # items x items, association confidence
    order_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # share of orders holding item
    customer_share: np.ndarray = field(default_factory=lambda: np.zeros(0))  # share of customers buying item
    group_share: dict[str, np.ndarray] = field(default_factory=dict)
    recent_share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    month_share: np.ndarray = field(default_factory=lambda: np.zeros((12, 0)))  # 12 x items
    user_items: sp.csr_matrix | None = None  # customers x items, ln(1 + orders)
    neighbour_idx: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    neighbour_sim: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def n_items(self) -> int:
        return len(self.items)

    def conf_rows(self, customer: int) -> np.ndarray:
        """Max association confidence from the customer's last-order items to every item."""
        anchors = self.last_items[customer]
        if self.conf is None or not len(anchors):
            return np.zeros(self.n_items)
        return np.asarray(self.conf[anchors].max(axis=0).todense()).ravel()

    def best_anchor(self, customer: int, item: int) -> int | None:
        """The last-order item most often bought with ``item`` (for the reason), or None."""
        anchors = self.last_items[customer]
        if self.conf is None or not len(anchors):
            return None
        values = np.asarray(self.conf[anchors, item].todense()).ravel()
        return int(anchors[int(values.argmax())]) if values.max() > 0 else None

    def peer_rows(self, customers: np.ndarray) -> np.ndarray:
        """Similarity-weighted share of each customer's neighbours that bought every item."""
        if self.user_items is None or not self.neighbour_idx.size:
            return np.zeros((len(customers), self.n_items))
        bought = (self.user_items > 0).astype(np.float32).tocsr()
        out = np.zeros((len(customers), self.n_items), dtype=np.float32)
        for row, c in enumerate(customers):
            sims = self.neighbour_sim[c]
            keep = sims > 0
            if not keep.any():
                continue
            weights = sims[keep] / sims[keep].sum()
            out[row] = bought[self.neighbour_idx[c][keep]].T @ weights
        return out

    def peer_count(self, customer: int, item: int) -> tuple[int, int]:
        """(neighbours with positive similarity who bought ``item``, neighbours considered)."""
        if self.user_items is None or not self.neighbour_idx.size:
            return 0, 0
        sims = self.neighbour_sim[customer]
        peers = self.neighbour_idx[customer][sims > 0]
        if not len(peers):
            return 0, 0
        return int((self.user_items[peers, item].toarray().ravel() > 0).sum()), len(peers)


def build_signals(tx: pd.DataFrame, params: SignalParams | None = None, *, cross: bool = True) -> HistorySignals:
    """Compute the signals of a transactions frame (:func:`.transactions.normalise`'d).

    Example:
        >>> from models.ml.recommend.transactions import normalise
        >>> tx = normalise(pd.DataFrame({"customer_id": ["a", "a"], "item_id": ["x", "y"],
        ...     "order_id": ["1", "2"], "ordered_at": ["2025-01-01", "2025-01-08"]}))
        >>> s = build_signals(tx)
        >>> s.customer_stats.loc[0, "gap_days"]
        7.0
    """
    params = params or SignalParams()
    items = np.array(sorted(tx["item_id"].unique()), dtype=object)
    customers = np.array(sorted(tx["customer_id"].unique()), dtype=object)
    item_index = {v: i for i, v in enumerate(items)}
    customer_index = {v: i for i, v in enumerate(customers)}
    ci = tx["customer_id"].map(customer_index).to_numpy(np.int64)
    ii = tx["item_id"].map(item_index).to_numpy(np.int64)
    seconds = epoch_seconds(tx["ordered_at"])
    frame = pd.DataFrame({"customer": ci, "item": ii, "t": seconds, "order_id": tx["order_id"].to_numpy(),
                          "group": tx["group_id"].to_numpy()})

    orders = frame.drop_duplicates("order_id")[["order_id", "customer", "t", "group"]]
    orders = orders.sort_values(["customer", "t", "order_id"], kind="stable")
    orders["back"] = orders.groupby("customer").cumcount(ascending=False)  # 0 = the customer's last order
    frame["back"] = frame["order_id"].map(orders.set_index("order_id")["back"]).to_numpy()
    frame["decay"] = DECAY ** frame["back"]
    frame["decay_fast"] = DECAY_FAST ** frame["back"]
    pairs = frame.groupby(["customer", "item"], sort=True).agg(
        n=("t", "size"), first_s=("t", "min"), last_s=("t", "max"), first_back=("back", "max"),
        last_back=("back", "min"), decay=("decay", "sum"), decay_fast=("decay_fast", "sum")).reset_index()
    pairs["interval_days"] = np.where(pairs["n"] >= 2, (pairs["last_s"] - pairs["first_s"])
                                      / np.maximum(pairs["n"] - 1, 1) / DAY_SECONDS, np.nan)
    pairs["interval_orders"] = np.where(pairs["n"] >= 2, (pairs["first_back"] - pairs["last_back"])
                                        / np.maximum(pairs["n"] - 1, 1), np.nan)
    stats = orders.groupby("customer").agg(n_orders=("t", "size"), first_s=("t", "min"), last_s=("t", "max"),
                                           group=("group", "last"))
    stats["gap_days"] = np.where(stats["n_orders"] >= 2, (stats["last_s"] - stats["first_s"])
                                 / np.maximum(stats["n_orders"] - 1, 1) / DAY_SECONDS, np.nan)
    items_of_order = frame.groupby("order_id")["item"].agg(lambda s: np.unique(s.to_numpy()))
    per_customer = orders.groupby("customer")["order_id"].agg(list)
    last_items = [np.zeros(0, dtype=np.int64)] * len(customers)
    recent_items = [np.zeros(0, dtype=np.int64)] * len(customers)
    for c, ids in per_customer.items():
        last_items[c] = items_of_order[ids[-1]]
        recent_items[c] = np.unique(np.concatenate([items_of_order[o] for o in ids[-3:]]))
    signals = HistorySignals(params=params, items=items, customers=customers, item_index=item_index,
                             customer_index=customer_index, pairs=pairs, customer_stats=stats,
                             last_items=last_items, recent_items=recent_items,
                             end_s=float(seconds.max()) if len(seconds) else 0.0, cross=cross)
    if cross:
        _cross_signals(signals, frame, orders, params)
    return signals


def _cross_signals(s: HistorySignals, frame: pd.DataFrame, orders: pd.DataFrame, params: SignalParams) -> None:
    n_items, n_customers = len(s.items), len(s.customers)
    order_codes, order_pos = np.unique(frame["order_id"].to_numpy().astype(str), return_inverse=True)
    baskets = sp.csr_matrix((np.ones(len(frame), dtype=np.float32), (order_pos, frame["item"].to_numpy())),
                            shape=(len(order_codes), n_items))
    baskets.data[:] = 1.0  # (order, item) is unique already; guard anyway
    holding = np.asarray(baskets.sum(axis=0)).ravel()
    s.order_share = holding / max(len(order_codes), 1)
    together = (baskets.T @ baskets).tocsr()
    together.setdiag(0)
    together.data[together.data < params.min_pair_orders] = 0
    together.eliminate_zeros()
    s.conf = sp.diags(1.0 / np.maximum(holding, 1)) @ together  # row a: P(i | a)
    s.conf = s.conf.tocsr()

    pairs = s.pairs
    s.user_items = sp.csr_matrix((np.log1p(pairs["n"].to_numpy()).astype(np.float32),
                                  (pairs["customer"].to_numpy(), pairs["item"].to_numpy())),
                                 shape=(n_customers, n_items))
    bought = (s.user_items > 0).astype(np.float32)
    s.customer_share = np.asarray(bought.sum(axis=0)).ravel() / max(n_customers, 1)
    groups = s.customer_stats["group"].to_numpy()
    for g in np.unique(groups):
        members = np.flatnonzero(groups == g)
        s.group_share[str(g)] = np.asarray(bought[members].sum(axis=0)).ravel() / max(len(members), 1)

    recent = frame["t"].to_numpy() >= s.end_s - params.trend_days * DAY_SECONDS
    recent_orders = max(int(orders["t"].ge(s.end_s - params.trend_days * DAY_SECONDS).sum()), 1)
    s.recent_share = np.bincount(frame["item"].to_numpy()[recent], minlength=n_items) / recent_orders
    months = pd.to_datetime(frame["t"].to_numpy(), unit="s").month.to_numpy() - 1
    order_months = pd.to_datetime(orders["t"].to_numpy(), unit="s").month.to_numpy() - 1
    month_orders = np.maximum(np.bincount(order_months, minlength=12), 1)
    counts = np.zeros((12, n_items))
    np.add.at(counts, (months, frame["item"].to_numpy()), 1.0)
    s.month_share = counts / month_orders[:, None]

    norms = np.sqrt(np.asarray(s.user_items.multiply(s.user_items).sum(axis=1)).ravel())
    unit = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ s.user_items
    k = min(params.neighbours, max(n_customers - 1, 0))
    s.neighbour_idx = np.zeros((n_customers, k), dtype=np.int64)
    s.neighbour_sim = np.zeros((n_customers, k))
    if k == 0:
        return
    for start in range(0, n_customers, 512):
        block = (unit[start:start + 512] @ unit.T).toarray()
        rows = np.arange(block.shape[0])
        block[rows, start + rows] = -1.0  # never one's own neighbour
        top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        sims = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-sims, axis=1, kind="stable")
        s.neighbour_idx[start:start + len(rows)] = np.take_along_axis(top, order, axis=1)
        s.neighbour_sim[start:start + len(rows)] = np.clip(np.take_along_axis(sims, order, axis=1), 0, None)
