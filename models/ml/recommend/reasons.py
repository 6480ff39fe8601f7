"""Why an item is recommended, in one sentence a buyer understands.

The reason follows the strongest evidence among the item's features (checked in this order):

1. ``due`` — bought at least twice and the usual interval has (nearly) passed:
   "due for reorder: every ~14 days, last 16 days ago" ("overdue" past 1.5 intervals);
2. ``regular`` — in a good share of the buyer's orders: "you order it regularly: in 12 of
   your 40 orders";
3. ``together`` / ``similar_buyers`` — whichever is stronger: "often ordered with <item>
   (38% of its orders)" or "buyers like you buy it: 5 of 8 similar buyers";
4. ``trending`` / ``seasonal`` — "trending: in 2.1% of recent orders, 3.0x usual";
5. ``repeat`` — bought before: "you ordered it before (1x, last 40 days ago)";
6. ``popular`` — "popular in your unit: 45% of its buyers order it".
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from typing import Any

from models.ml.recommend.signals import HistorySignals

REASON_KINDS = ("due", "regular", "together", "similar_buyers", "trending", "seasonal", "repeat", "popular")


def _num(row: Mapping[str, Any], key: str) -> float:
    value = row.get(key)
    if value is None:
        return math.nan
    value = float(value)
    return value


def reason_for(signals: HistorySignals, row: Mapping[str, Any],
               names: Mapping[str, str]) -> tuple[str, str, str | None]:
    """``(kind, sentence, anchor item id)`` for one recommended row (features of
    :mod:`.candidates`, ``customer_id``, ``item``).

    Example:
        >>> reason_for(None, {"own_n": 3, "own_interval": 14.2, "own_days_since": 16.0,
        ...                   "due_ratio": 1.13, "cust_n_orders": 10}, {})[1]
        'due for reorder: every ~14 days, last 16 days ago'
    """
    own_n = _num(row, "own_n")
    interval, since, ratio = _num(row, "own_interval"), _num(row, "own_days_since"), _num(row, "due_ratio")
    orders = _num(row, "cust_n_orders")
    if own_n >= 2 and not math.isnan(ratio) and ratio >= 0.75:
        status = "overdue" if ratio >= 1.5 else "due"
        return "due", f"{status} for reorder: every ~{interval:.0f} days, last {since:.0f} days ago", None
    if own_n >= 3 and orders > 0 and own_n / orders >= 0.2:
        return "regular", f"you order it regularly: in {own_n:.0f} of your {orders:.0f} orders", None
    conf, peer = _num(row, "co_conf"), _num(row, "peer")
    conf = 0.0 if math.isnan(conf) else conf
    peer = 0.0 if math.isnan(peer) else peer
    customer = signals.customer_index.get(str(row.get("customer_id")), -1) if signals is not None else -1
    if conf > 0 and conf >= peer and customer >= 0:
        anchor = signals.best_anchor(customer, int(row["item"]))
        if anchor is not None:
            anchor_id = str(signals.items[anchor])
            label = names.get(anchor_id, anchor_id)
            return "together", f"often ordered with {label} ({conf:.0%} of its orders)", anchor_id
    if peer > 0 and customer >= 0:
        bought, considered = signals.peer_count(customer, int(row["item"]))
        if bought:
            return "similar_buyers", f"buyers like you buy it: {bought} of {considered} similar buyers", None
    trend, season = _num(row, "trend"), _num(row, "season")
    if not math.isnan(trend) and trend >= 1.5 and _num(row, "recent_share") > 0:
        return "trending", (f"trending: in {_num(row, 'recent_share'):.1%} of recent orders, "
                            f"{trend:.1f}x usual"), None
    if not math.isnan(season) and season >= 1.5 and row.get("month"):
        return "seasonal", f"seasonal: ordered more in {calendar.month_name[int(row['month'])]}", None
    if own_n >= 1:
        since_text = f", last {since:.0f} days ago" if not math.isnan(since) else ""
        return "repeat", f"you ordered it before ({own_n:.0f}x{since_text})", None
    share = _num(row, "group_share")
    share = _num(row, "customer_share") if math.isnan(share) else share
    if not math.isnan(share) and share > 0:
        return "popular", f"popular in your unit: {share:.0%} of its buyers order it", None
    return "popular", "popular across the group", None
