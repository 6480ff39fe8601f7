"""An independent re-computation of supplier-performance figures from bronze, in pandas.

The end-to-end tests compare the published scorecards and spend with this: the validity
rules of the order lines and receipts, dated FX (the rate of the business date or the
latest before it), the trailing 12-month window of the latest complete month, delivery,
quality and spend metrics, the mid-rank percentile scores and the shrunk rate scores
(empirical Bayes toward the peers, exact normal CDF from scipy) — written a second time
without the models' SQL.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

WINDOW_MONTHS = 12


def _float(frame: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        frame[column] = frame[column].astype("float64")


def _dates(frame: pd.DataFrame, *columns: str) -> None:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])


def crosswalk(lake) -> pd.DataFrame:
    """ERP vendor record -> golden supplier."""
    return lake.sql("select source_record_id as vendor_id, supplier_key from gold.supplier_source_records "
                    "where source_system = 'erp'")


def valid_lines(lake, group_currency: str = "CNY") -> pd.DataFrame:
    """Order lines the marts count, with their amount in the group currency at the order date's rate."""
    lines = lake.sql("select purchase_order_line_id, purchase_order_id, material_id, quantity, unit_price, "
                     "line_amount, currency, promised_date from bronze.erp__purchase_order_lines")
    orders = lake.sql("select purchase_order_id, vendor_id, business_unit_code, order_date, status "
                      "from bronze.erp__purchase_orders")
    materials = set(lake.sql("select material_id from bronze.erp__materials")["material_id"])
    fx = lake.sql(f"select from_currency, rate_date, rate from bronze.erp__fx_rates where to_currency = '{group_currency}'")
    _float(lines, "quantity", "unit_price", "line_amount")
    _float(fx, "rate")
    frame = lines.merge(orders, on="purchase_order_id")
    frame = frame[frame["vendor_id"].notna() & frame["material_id"].isin(materials)
                  & (frame["quantity"] > 0) & (frame["unit_price"] >= 0)].copy()
    _dates(frame, "order_date", "promised_date")
    _dates(fx, "rate_date")
    frame = frame.sort_values("order_date")
    parts = []
    for currency, part in frame.groupby("currency"):
        if currency == group_currency:
            parts.append(part.assign(rate=1.0))
            continue
        rates = fx[fx["from_currency"] == currency].sort_values("rate_date")[["rate_date", "rate"]]
        parts.append(pd.merge_asof(part, rates, left_on="order_date", right_on="rate_date", direction="backward"))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["rate"].notna()].copy()
    frame["amount_group"] = (frame["line_amount"] * frame["rate"]).round(4)
    return frame.merge(crosswalk(lake), on="vendor_id")


def valid_receipts(lake) -> pd.DataFrame:
    """Goods receipts the marts count, with their line's promised date, inspection and return."""
    receipts = lake.sql("select goods_receipt_id, purchase_order_line_id, quantity, received_at, received_date "
                        "from bronze.erp__goods_receipts")
    lines = lake.sql("select purchase_order_line_id, purchase_order_id, promised_date "
                     "from bronze.erp__purchase_order_lines")
    orders = lake.sql("select purchase_order_id, vendor_id, order_date from bronze.erp__purchase_orders")
    inspections = lake.sql("select goods_receipt_id, sample_size, defects_found, result "
                           "from bronze.erp__quality_inspections")
    returns = lake.sql("select goods_receipt_id, count(*) as returns from bronze.erp__vendor_returns group by 1")
    _float(receipts, "quantity")
    frame = receipts.merge(lines, on="purchase_order_line_id").merge(orders, on="purchase_order_id")
    _dates(frame, "received_date", "order_date", "promised_date")
    local = pd.to_datetime(frame["received_at"], utc=True).dt.tz_convert("Asia/Shanghai").dt.tz_localize(None)
    local_day = local.dt.normalize()
    frame = frame[frame["vendor_id"].notna() & (frame["quantity"] > 0)
                  & (np.minimum(frame["received_date"], local_day) >= frame["order_date"])]
    frame = frame.merge(inspections, on="goods_receipt_id", how="left").merge(returns, on="goods_receipt_id",
                                                                            how="left")
    frame["returns"] = frame["returns"].fillna(0)
    return frame.merge(crosswalk(lake), on="vendor_id")


def current_window_metrics(lake) -> pd.DataFrame:
    """Per golden supplier, over the 12 months ending with the latest complete month."""
    lines = valid_lines(lake)
    receipts = valid_receipts(lake)
    as_of = lake.sql("select max(order_date) as d from bronze.erp__purchase_orders")["d"][0]
    as_of = pd.Timestamp(as_of)
    last_month = (as_of + pd.Timedelta(days=1)).to_period("M") - 1
    start = (last_month - (WINDOW_MONTHS - 1)).to_timestamp()
    end = last_month.to_timestamp(how="end").normalize()
    live = lines[lines["status"] != "cancelled"]
    ordered = live[live["order_date"].between(start, end)]
    first = receipts.groupby("purchase_order_line_id")["received_date"].min().rename("first_received")
    due = live[live["promised_date"].between(start, end) & (live["promised_date"] <= as_of)].join(
        first, on="purchase_order_line_id")
    due["on_time"] = due["first_received"].notna() & (due["first_received"] <= due["promised_date"])
    due["days_late"] = np.where(due["first_received"].notna(),
                                (due["first_received"] - due["promised_date"]).dt.days.clip(lower=0),
                                (as_of - due["promised_date"]).dt.days)
    received = receipts[receipts["received_date"].between(start, end)]
    out = pd.DataFrame({
        "po_count": ordered.groupby("supplier_key")["purchase_order_id"].nunique(),
        "spend_group": ordered.groupby("supplier_key")["amount_group"].sum(),
        "due_line_count": due.groupby("supplier_key").size(),
        "on_time_delivery_rate": due.groupby("supplier_key")["on_time"].mean(),
        "avg_days_late": due.groupby("supplier_key")["days_late"].mean(),
        "receipt_count": received.groupby("supplier_key").size(),
        "inspection_count": received.groupby("supplier_key")["sample_size"].count(),
        "quality_pass_rate": received.dropna(subset=["result"]).groupby("supplier_key")["result"].apply(
            lambda r: (r == "pass").mean()),
        "defect_ppm": received.groupby("supplier_key").apply(
            lambda g: 1e6 * g["defects_found"].sum() / g["sample_size"].sum() if g["sample_size"].sum() else np.nan,
            include_groups=False),
        "return_rate": received.groupby("supplier_key")["returns"].mean(),
        "inspected_units": received.groupby("supplier_key")["sample_size"].sum(),
    })
    for column in ("po_count", "due_line_count", "receipt_count", "inspection_count", "inspected_units"):
        out[column] = out[column].fillna(0).astype(int)
    out["spend_group"] = out["spend_group"].fillna(0.0)
    return out.reset_index().rename(columns={"index": "supplier_key"})


def percentile_scores(ranked: pd.DataFrame, metric: str, observations: str, min_observations: int,
                      higher_is_better: bool, min_category_peers: int = 5) -> pd.Series:
    """Mid-rank percentile of ``metric`` among its peers (main category when big enough, else group)."""
    eligible = ranked[ranked[metric].notna() & (ranked[observations] >= min_observations)]
    values = eligible[metric].astype(float) * (1 if higher_is_better else -1)
    category_size = eligible.groupby("main_category_id")[metric].transform("size")
    scores = pd.Series(np.nan, index=ranked.index)
    for index in eligible.index:
        if category_size[index] >= min_category_peers:
            peers = values[eligible["main_category_id"] == eligible.at[index, "main_category_id"]]
        else:
            peers = values
        if len(peers) == 1:
            scores[index] = 50.0
            continue
        worse = (peers < values[index]).sum()
        tied = (peers == values[index]).sum() - 1
        scores[index] = 100.0 * (worse + 0.5 * tied) / (len(peers) - 1)
    return scores


def _peer_groups(eligible: pd.DataFrame, min_category_peers: int) -> dict:
    """Each eligible row's peers: its main category when big enough, else the whole group."""
    category_size = eligible.groupby("main_category_id")["main_category_id"].transform("size")
    return {index: (eligible[eligible["main_category_id"] == eligible.at[index, "main_category_id"]]
                    if category_size[index] >= min_category_peers else eligible)
            for index in eligible.index}


def shrunk_rate_scores(ranked: pd.DataFrame, metric: str, observations: str, trials: str, scale: float,
                       min_observations: int, higher_is_better: bool, z: float = 1.2816,
                       min_category_peers: int = 5, max_strength: float = 1e5) -> pd.DataFrame:
    """Score, low and high of a rate metric: the rate shrunk toward the peers' pooled rate m
    (beta-binomial, strength k = m(1 - m) / tau2 - 1 by the method of moments), scored
    100 x Phi(direction x (posterior - m) / sqrt(m(1 - m) / (k + 1))), the bounds at the
    posterior -+ z posterior sd."""
    eligible = ranked[ranked[metric].notna() & (ranked[observations] >= min_observations)
                      & (ranked[trials] > 0)].copy()
    eligible["rate"] = eligible[metric].astype(float) / scale
    eligible["trials"] = eligible[trials].astype(float)
    out = pd.DataFrame(np.nan, index=ranked.index, columns=["score", "low", "high"])
    sign = 1.0 if higher_is_better else -1.0
    for index, peers in _peer_groups(eligible, min_category_peers).items():
        pooled = (peers["rate"] * peers["trials"]).sum() / peers["trials"].sum()
        spread = peers["rate"].var(ddof=0) - pooled * (1 - pooled) * (1 / peers["trials"]).mean()
        strength = max_strength if spread <= 0 else min(max(pooled * (1 - pooled) / spread - 1, 0), max_strength)
        rate, n = eligible.at[index, "rate"], eligible.at[index, "trials"]
        posterior = (rate * n + strength * pooled) / (n + strength)
        half = z * np.sqrt(posterior * (1 - posterior) / (n + strength + 1))
        prior_sd = np.sqrt(pooled * (1 - pooled) / (strength + 1))
        if prior_sd == 0:
            out.loc[index] = [50.0, 50.0, 50.0]
            continue
        standings = sorted(sign * (value - pooled) / prior_sd for value in (
            posterior, min(max(posterior - half, 0), 1), min(max(posterior + half, 0), 1)))
        score = 100 * norm.cdf(sign * (posterior - pooled) / prior_sd)
        out.loc[index] = [score, 100 * norm.cdf(standings[0]), 100 * norm.cdf(standings[2])]
    return out
