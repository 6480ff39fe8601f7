"""An independent re-computation of the customer marts from bronze, in pandas.

The end-to-end tests compare every row of the published marts with this oracle: the
screening rules, the dated FX conversion (rate of the order date or the latest before it),
RFM per scope, quintile scores and the segment grid, written a second time without SQL.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

SEGMENTS = {  # (r, fm) -> segment, the grid of dbt_project/macros/rfm.sql written out
    **{(5, fm): "champions" for fm in (4, 5)},
    **{(r, fm): "loyal" for r in (3, 4) for fm in (4, 5)},
    **{(r, fm): "potential_loyalists" for r in (4, 5) for fm in (2, 3)},
    (5, 1): "new_customers", (4, 1): "promising", (3, 3): "need_attention",
    (3, 2): "about_to_sleep", (3, 1): "about_to_sleep",
    (2, 5): "cannot_lose", (1, 5): "cannot_lose",
    **{(r, fm): "at_risk" for r in (1, 2) for fm in (3, 4)},
    (2, 2): "hibernating", (2, 1): "hibernating", (1, 2): "hibernating", (1, 1): "lost",
}


def converted_orders(lake, group_currency: str = "CNY") -> pd.DataFrame:
    """Valid, not cancelled orders with their valid lines' amount in the group currency."""
    orders = lake.sql("select * from bronze.erp__sales_orders")
    lines = lake.sql("select * from bronze.erp__sales_order_lines")
    customers = set(lake.sql("select customer_id from bronze.crm__customers")["customer_id"])
    fx = lake.sql(f"select from_currency, rate_date, rate from bronze.erp__fx_rates "
                  f"where to_currency = '{group_currency}'")
    for frame, cols in ((lines, ("quantity", "unit_price", "line_amount")), (fx, ("rate",))):
        for col in cols:
            frame[col] = frame[col].astype("float64")
    amount_ok = (lines["line_amount"] - lines["quantity"] * lines["unit_price"]).abs() <= (
        0.01 + 0.001 * lines["line_amount"].abs())
    valid_lines = lines[lines["sales_order_id"].isin(orders["sales_order_id"]) & (lines["quantity"] >= 0)
                        & (lines["unit_price"] >= 0) & (lines["line_amount"] >= 0) & amount_ok]
    amounts = valid_lines.groupby("sales_order_id")["line_amount"].sum()
    orders = orders[orders["customer_id"].isin(customers) & (orders["status"] != "cancelled")]
    orders = orders[orders["sales_order_id"].isin(amounts.index)].copy()
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    fx["rate_date"] = pd.to_datetime(fx["rate_date"])
    rates = []
    for row in orders.itertuples():
        if row.currency == group_currency:
            rates.append(1.0)
            continue
        known = fx[(fx["from_currency"] == row.currency) & (fx["rate_date"] <= row.order_date)]
        rates.append(float(known.sort_values("rate_date")["rate"].iloc[-1]) if len(known) else math.nan)
    orders["rate"] = rates
    orders = orders[orders["rate"].notna()]
    orders["amount_group"] = orders["sales_order_id"].map(amounts) * orders["rate"]
    return orders[["sales_order_id", "customer_id", "business_unit_code", "order_date", "amount_group"]]


def rfm(orders: pd.DataFrame) -> pd.DataFrame:
    """Recency, frequency and monetary per scope (unit code or GROUP) and customer."""
    as_of = orders["order_date"].max()
    scoped = pd.concat([orders.assign(scope=orders["business_unit_code"]), orders.assign(scope="GROUP")])
    grouped = scoped.groupby(["scope", "customer_id"])
    out = pd.DataFrame({
        "frequency": grouped["sales_order_id"].nunique(),
        "monetary_value": grouped["amount_group"].sum(),
        "recency_days": (as_of - grouped["order_date"].max()).dt.days,
    }).reset_index()
    return out


def quintile(worse: int, n: int) -> int:
    """1 + floor(5 x share of customers strictly worse)."""
    return 1 + (5 * worse) // n


def scores(mart: pd.DataFrame) -> pd.DataFrame:
    """r/f/m/fm scores and segment recomputed from the mart's own R, F and M values."""
    rows = []
    for scope, part in mart.groupby("scope"):
        n = len(part)
        recency = part["recency_days"].to_numpy()
        frequency = part["frequency"].to_numpy()
        monetary = part["monetary_value"].to_numpy()
        for i, customer in enumerate(part["customer_id"]):
            r = quintile(int(np.sum(recency > recency[i])), n)
            f = quintile(int(np.sum(frequency < frequency[i])), n)
            m = quintile(int(np.sum(monetary < monetary[i])), n)
            fm = (f + m + 1) // 2
            rows.append((scope, customer, r, f, m, fm, SEGMENTS[(r, fm)]))
    return pd.DataFrame(rows, columns=["scope", "customer_id", "r_score", "f_score", "m_score", "fm_score",
                                       "segment"])
