"""Customer lifetime value per customer, per business unit and group-wide (dbt Python model).

BG/NBD (purchases) and Gamma-Gamma (spend) are fitted by maximum likelihood with the tested
library ``models.clv`` on the customers' purchases in the group currency
(``int_sales_orders__converted``: valid, not cancelled orders converted at the order date's
rate). Purchase periods are calendar days.

Which data each fit sees (the documented choice):

- Business-unit scope: a unit with at least ``ltv_min_customers_per_fit`` customers gets its
  own fit; the smaller units are fitted together (``fitted_on = POOLED_SMALL_UNITS``), each
  (unit, customer) pair being one "customer" of that fit, so every row stays unit-scoped.
- Group scope (``ltv_group_method``): ``sum_of_units`` (default) values a customer as the
  sum of its unit values (expected purchases and CLV summed, p_alive = 1 - prod(1 - p_u),
  spend = purchase-weighted mean): the units' spend levels differ by orders of magnitude, and
  one group-wide Gamma-Gamma is misspecified on such data (on the demo group it gives
  q < 1, no finite mean spend). ``pooled_fit`` fits one model on all purchases instead.

Degenerate data (all one-time buyers, zero spend, too few customers) is scored by the
library's documented historical fallback, flagged in ``fallback_used`` / ``fallback_reason``:
never NaN, never a crash.
"""

import json

import numpy as np
import pandas as pd

OUTPUT_COLUMNS = [
    "scope", "scope_type", "customer_id", "as_of_date", "fitted_on", "frequency", "recency", "T",
    "monetary_value", "p_alive", "expected_purchases", "expected_avg_spend", "clv", "model",
    "model_params", "bgnbd_converged", "gamma_gamma_converged", "n_customers", "fallback_used",
    "fallback_reason", "horizon_months", "discount_rate_monthly",
]
POOLED = "POOLED_SMALL_UNITS"
_KEY = "_scope_customer"


def fit_groups(orders, min_customers):
    """[(fitted_on, [unit codes])]: big units alone, the small ones pooled (sorted, stable)."""
    customers = orders.groupby("business_unit_code")["customer_id"].nunique().sort_index()
    big = [unit for unit, n in customers.items() if n >= min_customers]
    small = [unit for unit, n in customers.items() if n < min_customers]
    return [(unit, [unit]) for unit in big] + ([(POOLED, small)] if small else [])


def score(transactions, key, as_of, horizon, discount):
    """Summary (models.clv.summarize_transactions) and scores of ``transactions`` by ``key``."""
    from models.clv import purchases_column, score_customers, summarize_transactions

    summary = summarize_transactions(
        transactions, observation_end=as_of, unit="days", customer_id_col=key,
        date_col="order_date", amount_col="order_amount_group",
    )
    scores = score_customers(
        summary, horizon_months=horizon, discount_rate_monthly=discount, time_unit="days",
    )
    scored = summary.merge(scores, on="customer_id", how="inner", validate="one_to_one")
    return scored.rename(columns={purchases_column(horizon): "expected_purchases"})


def score_units(orders, as_of, horizon, discount, min_customers):
    """Business-unit scope rows: one fit per big unit, one for the small units pooled."""
    keyed = orders.assign(**{_KEY: orders["business_unit_code"] + "|" + orders["customer_id"]})
    frames = []
    for fitted_on, units in fit_groups(orders, min_customers):
        scored = score(keyed[keyed["business_unit_code"].isin(units)], _KEY, as_of, horizon, discount)
        parts = scored["customer_id"].str.split("|", n=1, expand=True)
        scored["scope"], scored["customer_id"] = parts[0], parts[1]
        scored["fitted_on"] = fitted_on
        frames.append(scored)
    out = pd.concat(frames, ignore_index=True)
    out["scope_type"] = "business_unit"
    return out


def _group_summary(orders, as_of, horizon, discount):
    from models.clv import summarize_transactions

    return summarize_transactions(
        orders, observation_end=as_of, unit="days", customer_id_col="customer_id",
        date_col="order_date", amount_col="order_amount_group",
    )


def sum_of_units(units, summary):
    """Group rows valuing each customer as the sum of its business-unit rows."""
    grouped = units.assign(
        _dead=1.0 - units["p_alive"],
        _spend_x=units["expected_purchases"] * units["expected_avg_spend"],
    ).groupby("customer_id", sort=True)
    purchases = grouped["expected_purchases"].sum()
    mean_spend = grouped["expected_avg_spend"].mean()
    weighted = grouped["_spend_x"].sum()
    spend = np.where(purchases > 0, weighted / purchases.where(purchases > 0, 1.0), mean_spend)
    reasons = grouped["fallback_reason"].agg(lambda r: "; ".join(sorted({x for x in r if x})))
    out = pd.DataFrame({
        "customer_id": purchases.index,
        "p_alive": 1.0 - grouped["_dead"].prod().to_numpy(),
        "expected_purchases": purchases.to_numpy(),
        "expected_avg_spend": spend,
        "clv": grouped["clv"].sum().to_numpy(),
        "fallback_used": grouped["fallback_used"].any().to_numpy(),
        "fallback_reason": reasons.to_numpy(),
        "bgnbd_converged": grouped["bgnbd_converged"].all().to_numpy(),
        "gamma_gamma_converged": grouped["gamma_gamma_converged"].all().to_numpy(),
        "fitted_on": grouped["fitted_on"].agg(lambda f: ",".join(sorted(set(f)))).to_numpy(),
    })
    out = summary.merge(out, on="customer_id", how="inner", validate="one_to_one")
    out["model"] = "sum_of_units"
    out["model_params"] = json.dumps({"aggregation": "sum over business-unit scores"})
    out["n_customers"] = len(out)
    out["scope"], out["scope_type"] = "GROUP", "group"
    return out


def pooled_fit(orders, as_of, horizon, discount):
    """Group rows from one BG/NBD + Gamma-Gamma fit on every purchase of the group."""
    out = score(orders, "customer_id", as_of, horizon, discount)
    out["fitted_on"] = "GROUP"
    out["scope"], out["scope_type"] = "GROUP", "group"
    return out


def score_all(orders, as_of, horizon, discount, min_customers, group_method):
    """Every output row: business-unit scopes, then GROUP (``group_method``)."""
    units = score_units(orders, as_of, horizon, discount, min_customers)
    if group_method == "pooled_fit":
        group = pooled_fit(orders, as_of, horizon, discount)
    elif group_method == "sum_of_units":
        group = sum_of_units(units, _group_summary(orders, as_of, horizon, discount))
    else:
        raise ValueError(f"ltv_group_method must be sum_of_units or pooled_fit, got {group_method!r}")
    out = pd.concat([units, group], ignore_index=True)
    out["as_of_date"] = as_of.date()
    out["horizon_months"] = horizon
    out["discount_rate_monthly"] = discount
    return out[OUTPUT_COLUMNS].sort_values(["scope", "customer_id"], ignore_index=True)


def model(dbt, session):
    dbt.config(materialized="table")
    horizon = int(dbt.config.get("ltv_horizon_months"))
    discount = float(dbt.config.get("ltv_discount_rate_monthly"))
    min_customers = int(dbt.config.get("ltv_min_customers_per_fit"))
    group_method = str(dbt.config.get("ltv_group_method"))
    as_of_var = str(dbt.config.get("as_of_date") or "")

    orders = dbt.ref("int_sales_orders__converted").df()
    orders["order_amount_group"] = orders["order_amount_group"].astype("float64")
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    if orders.empty:
        return pd.DataFrame({column: pd.Series(dtype="object") for column in OUTPUT_COLUMNS})
    as_of = pd.Timestamp(as_of_var) if as_of_var else orders["order_date"].max()
    orders = orders[orders["order_date"] <= as_of]
    return score_all(orders, as_of, horizon, discount, min_customers, group_method)
