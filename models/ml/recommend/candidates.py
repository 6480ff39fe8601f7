"""Candidate items per customer and their features, at a reference time.

Candidates (union, each source capped): the customer's own items (most ordered first), the
items most often bought with its last order's items, the items its most similar customers
buy, the group's most popular and the history's trending items. Features per (customer,
candidate), all computed from the history alone (:class:`.signals.HistorySignals`) and the
reference time ``at`` (when the customer orders / opens the page):

=================  ==========================================================================
``own_n``          orders of the customer holding the item
``own_share``      ``own_n`` / the customer's orders
``own_days_since`` days from the last purchase of the item to ``at``
``own_interval``   the customer's own mean days between purchases of the item (2+ purchases)
``due_ratio``      ``own_days_since / own_interval`` (≈1: due now; the reorder rhythm)
``due_distance``   ``|ln due_ratio|``
``own_orders_since`` orders placed since the last one holding the item (0: it was in the last)
``own_interval_orders`` mean orders between purchases of it; ``due_ratio_orders`` the same rhythm
                   counted in orders: ``(own_orders_since + 1) / own_interval_orders``
``own_decay``      recency-weighted purchases: sum of 0.9^(orders ago); ``own_decay_fast``: 0.6^
``own_in_last``    the item was in the customer's last order; ``own_in_recent``: last 3 orders
``cust_*``         the customer's orders, days since its last order, mean days between orders
``co_conf``        max share of orders with one of the last order's items that also hold it
``co_lift``        ``co_conf`` / share of all orders holding it
``peer``           similarity-weighted share of the customer's neighbours who bought it
``group_share``    share of the customer's group (business unit) who bought it
``customer_share`` share of all customers who bought it
``recent_share``   share of the last ``trend_days``' orders holding it; ``trend``: vs overall
``season``         share of orders in ``at``'s calendar month holding it, vs overall
=================  ==========================================================================

With cross-buyer signals off only own-history candidates and the ``own_*``/``cust_*``
features exist (:data:`OWN_FEATURES`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from models.ml.recommend.signals import DAY_SECONDS, HistorySignals, epoch_seconds

#: two purchases on one day count as half a day apart (no division by zero).
MIN_INTERVAL_DAYS = 0.5
OWN_FEATURES = ("own_n", "own_share", "own_days_since", "own_interval", "due_ratio", "due_distance",
                "own_orders_since", "own_interval_orders", "due_ratio_orders", "own_decay", "own_decay_fast",
                "own_in_last", "own_in_recent", "cust_n_orders", "cust_days_since", "cust_gap_days")
CROSS_FEATURES = ("co_conf", "co_lift", "peer", "group_share", "customer_share", "recent_share", "trend",
                  "season")


@dataclass(frozen=True)
class CandidateParams:
    """How many candidates each source contributes (logged with the model)."""

    own: int = 100
    together: int = 20
    peers: int = 20
    group_popular: int = 10
    trending: int = 10
    chunk: int = 128


def feature_names(cross: bool) -> tuple[str, ...]:
    """The feature columns a ranker sees."""
    return OWN_FEATURES + (CROSS_FEATURES if cross else ())


def _top(values: np.ndarray, n: int) -> np.ndarray:
    if n <= 0 or not len(values):
        return np.zeros(0, dtype=np.int64)
    n = min(n, len(values))
    top = np.argpartition(-values, n - 1)[:n]
    return top[values[top] > 0]


def build_candidates(signals: HistorySignals, targets: pd.DataFrame,
                     params: CandidateParams | None = None) -> pd.DataFrame:
    """Candidate rows with features for every target customer.

    Args:
        signals: the history's signals.
        targets: ``customer_id, at`` (UTC timestamp) and optionally ``group_id`` (default: the
            customer's group in the history); customers unknown to the history get only the
            popular and trending items (cold start).
        params: candidate caps.

    Returns:
        ``customer_id, item`` (index into ``signals.items``), ``item_id`` and the features of
        :func:`feature_names` (``signals.cross``).
    """
    params = params or CandidateParams()
    cross = signals.cross
    pairs = signals.pairs
    starts = np.searchsorted(pairs["customer"].to_numpy(), np.arange(len(signals.customers) + 1))
    p_item, p_n = pairs["item"].to_numpy(), pairs["n"].to_numpy()
    p_last, p_interval = pairs["last_s"].to_numpy(), pairs["interval_days"].to_numpy()
    p_last_back, p_interval_orders = pairs["last_back"].to_numpy(), pairs["interval_orders"].to_numpy()
    p_decay, p_decay_fast = pairs["decay"].to_numpy(), pairs["decay_fast"].to_numpy()
    stats = signals.customer_stats
    at_s = epoch_seconds(targets["at"])
    customers = targets["customer_id"].astype(str).to_numpy()
    groups = (targets["group_id"].astype(str).to_numpy() if "group_id" in targets
              else np.array([""] * len(targets), dtype=object))
    months = pd.to_datetime(targets["at"], utc=True).dt.month.to_numpy() - 1
    idx = np.array([signals.customer_index.get(c, -1) for c in customers], dtype=np.int64)
    popular_default = np.zeros(signals.n_items)
    group_top = {g: _top(share, params.group_popular) for g, share in signals.group_share.items()}
    customer_top = _top(signals.customer_share, params.group_popular) if cross else None
    trending_top = _top(signals.recent_share, params.trending) if cross else None
    frames = []
    for start in range(0, len(targets), params.chunk):
        rows = np.arange(start, min(start + params.chunk, len(targets)))
        known = idx[rows]
        peer = signals.peer_rows(np.maximum(known, 0)) if cross else None
        for j, r in enumerate(rows):
            c = known[j]
            own = slice(starts[c], starts[c + 1]) if c >= 0 else slice(0, 0)
            own_items = p_item[own]
            order = np.lexsort((-p_last[own], -p_n[own]))[:params.own]
            chosen = [own_items[order]]
            conf = peer_row = None
            if cross:
                group = groups[r] or (str(stats.at[c, "group"]) if c >= 0 else "")
                gshare = signals.group_share.get(group, signals.customer_share)
                conf = signals.conf_rows(c) if c >= 0 else popular_default
                peer_row = peer[j] if c >= 0 else popular_default
                chosen += [_top(conf, params.together), _top(peer_row, params.peers),
                           group_top.get(group, customer_top), trending_top]
            cand = np.unique(np.concatenate(chosen)).astype(np.int64)
            if not len(cand):
                continue
            f = {"customer_id": np.full(len(cand), customers[r], dtype=object), "item": cand}
            n = np.zeros(len(cand))
            last = np.full(len(cand), np.nan)
            interval = np.full(len(cand), np.nan)
            pos = np.searchsorted(own_items, cand)
            hit = (pos < len(own_items)) & (own_items[np.minimum(pos, max(len(own_items) - 1, 0))] == cand) \
                if len(own_items) else np.zeros(len(cand), dtype=bool)
            n[hit] = p_n[own][pos[hit]]
            last[hit] = p_last[own][pos[hit]]
            interval[hit] = p_interval[own][pos[hit]]
            since_orders, interval_orders = np.full(len(cand), np.nan), np.full(len(cand), np.nan)
            decay, decay_fast = np.zeros(len(cand)), np.zeros(len(cand))
            since_orders[hit] = p_last_back[own][pos[hit]]
            interval_orders[hit] = p_interval_orders[own][pos[hit]]
            decay[hit] = p_decay[own][pos[hit]]
            decay_fast[hit] = p_decay_fast[own][pos[hit]]
            n_orders = float(stats.at[c, "n_orders"]) if c >= 0 else 0.0
            f["own_n"] = n
            f["own_share"] = n / n_orders if n_orders else n
            f["own_days_since"] = (at_s[r] - last) / DAY_SECONDS
            f["own_interval"] = interval
            ratio = f["own_days_since"] / np.maximum(interval, MIN_INTERVAL_DAYS)
            f["due_ratio"] = ratio
            with np.errstate(divide="ignore", invalid="ignore"):
                f["due_distance"] = np.abs(np.log(np.where(ratio > 0, ratio, np.nan)))
            f["own_orders_since"] = since_orders
            f["own_interval_orders"] = interval_orders
            f["due_ratio_orders"] = (since_orders + 1) / interval_orders
            f["own_decay"] = decay
            f["own_decay_fast"] = decay_fast
            f["own_in_last"] = np.isin(cand, signals.last_items[c]).astype(float) if c >= 0 else np.zeros(len(cand))
            f["own_in_recent"] = (np.isin(cand, signals.recent_items[c]).astype(float) if c >= 0
                                  else np.zeros(len(cand)))
            f["cust_n_orders"] = np.full(len(cand), n_orders)
            f["cust_days_since"] = np.full(len(cand), (at_s[r] - stats.at[c, "last_s"]) / DAY_SECONDS
                                           if c >= 0 else np.nan)
            f["cust_gap_days"] = np.full(len(cand), stats.at[c, "gap_days"] if c >= 0 else np.nan)
            if cross:
                f["co_conf"] = conf[cand]
                f["co_lift"] = conf[cand] / np.maximum(signals.order_share[cand], 1e-9)
                f["peer"] = peer_row[cand]
                f["group_share"] = gshare[cand]
                f["customer_share"] = signals.customer_share[cand]
                f["recent_share"] = signals.recent_share[cand]
                base = np.maximum(signals.order_share[cand], 1e-9)
                f["trend"] = signals.recent_share[cand] / base
                f["season"] = signals.month_share[months[r], cand] / base
            frames.append(pd.DataFrame(f))
    columns = ["customer_id", "item", *feature_names(cross)]
    if not frames:
        return pd.DataFrame(columns=[*columns, "item_id"])
    out = pd.concat(frames, ignore_index=True)[columns]
    out["item_id"] = signals.items[out["item"].to_numpy()]
    return out
