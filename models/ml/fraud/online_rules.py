"""The order path's red-flag rules, replayed on the lake's ERP purchase orders (a baseline).

The transactional service scores a platform order with ``transactional/risk/rules.py``
(:func:`evaluate` + :func:`rule_score`). ``models`` may not import the service (DESIGN.md's
layout), so this module is the lake-side equivalent used by the honest evaluation as the
**rules-only** baseline: the same rules, weights and default thresholds (``RiskPolicy``),
vectorised over a frame of orders; ``tests/models/ml/test_online_rules.py`` checks the
scores equal the service's :func:`rule_score` order by order.

How an ERP order maps onto the service's ``OrderFacts``: unit = ``business_unit_code``,
supplier = ``vendor_id``, buyer = ``buyer_id``, placed at ``created_at``, amounts and unit
prices in the group currency (the profiles' currency), the unit's approval limit. The history
profiles are :func:`models.ml.fraud.profiles.build_profiles` of the orders *before* the
evaluation's split (what the lake would have published then; SKU codes stand in for platform
SKU ids). "Recent" orders (split, velocity) and "the unit ordered from the supplier before"
come from every live (not cancelled) order placed before the scored one. The elimination list
is not in the ERP history: that rule never fires here.

=====================  ======  =====================================================
rule                   weight  fires when (defaults of ``RiskPolicy``)
=====================  ======  =====================================================
split                  0.70    this and earlier orders by the buyer to the vendor within
                               24 h are each within the limit, together above it
velocity               0.30    more than 30 orders by the buyer within 10 min
quantity_history       0.55    a quantity above 3 x the unit's p95 for the SKU (>= 3 orders)
amount_history         0.40    the amount above 3 x the unit's p95 with the vendor (>= 3 orders)
price_market           0.60    a unit price above 1.3 x the SKU's market median
new_supplier           0.55    no earlier order of the unit with the vendor, the vendor's first
                               group order < 90 days ago (or none), amount >= 50 % of the limit
=====================  ======  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

#: the service's ``transactional/risk/rules.WEIGHTS`` (a test keeps them equal).
WEIGHTS = {"split": 0.70, "velocity": 0.30, "quantity_history": 0.55, "amount_history": 0.40,
           "price_market": 0.60, "new_supplier": 0.55}


@dataclass(frozen=True)
class RulePolicy:
    """The thresholds of ``transactional.core.policy.RiskPolicy`` the rules use (its defaults)."""

    split_window_hours: float = 24.0
    velocity_window_minutes: float = 10.0
    velocity_max: int = 30
    history_factor: float = 3.0
    history_min_orders: int = 3
    price_factor: float = 1.3
    new_supplier_days: float = 90.0
    new_supplier_share: float = 0.5


ORDER_COLUMNS = ["order_id", "business_unit", "supplier_id", "buyer_id", "ordered_at", "amount", "limit", "live"]
LINE_COLUMNS = ["order_id", "sku_code", "quantity", "unit_price"]


def _profile_maps(profiles: pd.DataFrame) -> dict[str, dict]:
    rows = profiles.set_index("subject")
    return {column: rows[column].dropna().to_dict() for column in
            ("order_count", "quantity_p95", "unit_price_median", "amount_p95", "first_order_at")}


def rule_flags(orders: pd.DataFrame, lines: pd.DataFrame, profiles: pd.DataFrame, sku_ids: dict[str, int],
               policy: RulePolicy | None = None) -> pd.DataFrame:
    """Which rule fires on each order (one boolean column per rule of :data:`WEIGHTS`).

    Args:
        orders: :data:`ORDER_COLUMNS` — the scored orders *and* the earlier history they are
            compared with (``live`` False: cancelled, never counted as an earlier order).
        lines: :data:`LINE_COLUMNS` of the orders (group currency).
        profiles: :func:`models.ml.fraud.profiles.build_profiles` rows (group currency).
        sku_ids: the SKU id by code used when the profiles were built.
        policy: thresholds (the service's defaults).

    Returns:
        ``order_id`` + one column per rule, in the order of ``orders``.
    """
    p = policy or RulePolicy()
    o = orders.reset_index(drop=True).copy()
    o["ordered_at"] = pd.to_datetime(o["ordered_at"], utc=True)
    t = o["ordered_at"].astype("int64").to_numpy() / 1e9  # seconds
    amount, limit = o["amount"].to_numpy(float), o["limit"].to_numpy(float)
    live = o["live"].to_numpy(bool)
    maps = _profile_maps(profiles)
    split = np.zeros(len(o), dtype=bool)
    velocity = np.zeros(len(o), dtype=bool)
    known = np.zeros(len(o), dtype=bool)
    window, burst = p.split_window_hours * 3600, p.velocity_window_minutes * 60
    for idx in o.groupby("buyer_id", sort=False).indices.values():
        idx = idx[np.argsort(t[idx], kind="stable")]
        tb = t[idx]
        for j, i in enumerate(idx):
            lo = np.searchsorted(tb, tb[j] - burst, side="left")
            velocity[i] = 1 + int(live[idx[lo:j]].sum()) > p.velocity_max
            if amount[i] > limit[i]:
                continue
            lo = np.searchsorted(tb, tb[j] - window, side="left")
            earlier = idx[lo:j]
            earlier = earlier[live[earlier] & (o["supplier_id"].to_numpy()[earlier] == o.at[i, "supplier_id"])
                              & (amount[earlier] <= limit[earlier])]
            split[i] = len(earlier) > 0 and amount[i] + amount[earlier].sum() > limit[i]
    for idx in o.groupby(["business_unit", "supplier_id"], sort=False).indices.values():
        idx = idx[np.argsort(t[idx], kind="stable")]
        seen = np.cumsum(live[idx]) - live[idx]  # live orders of the pair strictly before
        known[idx] = seen > 0
    pair_key = "bu_supplier:" + o["business_unit"].astype(str) + ":" + o["supplier_id"].astype(str)
    supplier_key = "supplier:" + o["supplier_id"].astype(str)
    pair_count = pair_key.map(maps["order_count"]).fillna(0).to_numpy(float)
    pair_p95 = pair_key.map(maps["amount_p95"]).to_numpy(float)
    amount_history = (pair_count >= p.history_min_orders) & (pair_p95 > 0) & (amount > p.history_factor * pair_p95)
    first = pd.to_datetime(supplier_key.map(maps["first_order_at"]), utc=True)
    young = first.isna().to_numpy() | ((o["ordered_at"] - first).dt.total_seconds().to_numpy()
                                       < p.new_supplier_days * 86400)
    in_profiles = pair_key.isin(maps["order_count"].keys()).to_numpy()
    new_supplier = (amount >= p.new_supplier_share * limit) & ~known & ~in_profiles & young

    line = lines.merge(o[["order_id", "business_unit"]], on="order_id", how="inner")
    sku = line["sku_code"].map(sku_ids)
    own_key = "bu_sku:" + line["business_unit"].astype(str) + ":" + sku.astype("Int64").astype(str)
    market_key = "sku:" + sku.astype("Int64").astype(str)
    own_count = own_key.map(maps["order_count"]).fillna(0).to_numpy(float)
    own_p95 = own_key.map(maps["quantity_p95"]).to_numpy(float)
    median = market_key.map(maps["unit_price_median"]).to_numpy(float)
    line["quantity_history"] = ((own_count >= p.history_min_orders) & (own_p95 > 0)
                                & (line["quantity"].to_numpy(float) > p.history_factor * own_p95))
    line["price_market"] = (median > 0) & (line["unit_price"].to_numpy(float) > p.price_factor * median)
    per_order = line.groupby("order_id")[["quantity_history", "price_market"]].any()
    out = pd.DataFrame({"order_id": o["order_id"], "split": split, "velocity": velocity,
                        "amount_history": amount_history, "new_supplier": new_supplier})
    out = out.join(per_order, on="order_id")
    out[["quantity_history", "price_market"]] = out[["quantity_history", "price_market"]].fillna(False).astype(bool)
    return out[["order_id", *WEIGHTS]]


@dataclass
class RuleInputs:
    """What :func:`rule_flags` needs from the lake: every ERP order (:data:`ORDER_COLUMNS`), their
    lines (:data:`LINE_COLUMNS`, group currency) and the same lines in the profiles' shape
    (:data:`models.ml.fraud.profiles.LINE_COLUMNS`), to build profiles as of any date."""

    orders: pd.DataFrame
    lines: pd.DataFrame
    profile_lines: pd.DataFrame


def lake_rule_inputs(con: Any, order_frame: pd.DataFrame, sources: Any = None) -> RuleInputs:
    """:class:`RuleInputs` of the lake's ERP purchase orders.

    Args:
        con: DuckDB connection on the lake.
        order_frame: the purchase-order feature frame (``document_id``, ``amount_cny``,
            ``approval_limit``: the amount and limit in the group currency).
        sources: relation names (:class:`models.ml.features.sources.Sources`).
    """
    from models.ml.features.sources import Sources
    from models.ml.fraud.profiles import erp_order_lines

    s = sources or Sources()
    heads = con.sql(f"""
select purchase_order_id as order_id, business_unit_code as business_unit, vendor_id as supplier_id, buyer_id,
       cast(created_at as timestamptz) as ordered_at, coalesce(status, '') <> 'cancelled' as live
from {s.purchase_orders}""").df()
    money = order_frame[["document_id", "amount_cny", "approval_limit"]].rename(
        columns={"document_id": "order_id", "amount_cny": "amount", "approval_limit": "limit"})
    orders = heads.merge(money, on="order_id", how="inner")[ORDER_COLUMNS]
    profile_lines = erp_order_lines(con, s)
    lines = profile_lines[["order_id", "sku_code", "quantity", "unit_price"]].copy()
    return RuleInputs(orders=orders, lines=lines, profile_lines=profile_lines)


def rule_scores(flags: pd.DataFrame) -> np.ndarray:
    """Noisy-or of the weights of the rules that fired (the service's ``rule_score``), 4 decimals."""
    miss = np.ones(len(flags))
    for rule, weight in WEIGHTS.items():
        miss *= np.where(flags[rule].to_numpy(bool), 1 - weight, 1.0)
    return np.round(1 - miss, 4)
