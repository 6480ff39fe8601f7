"""Discounted customer lifetime value and the one scoring function the LTV mart calls.

CLV follows lifetimes' ``customer_lifetime_value``: a discrete sum over months,

    clv = Σ_{m=1..H} spend · (E[Y(m·f)] - E[Y((m-1)·f)]) / (1 + d)^m

with ``E[Y(t)]`` the expected repeat purchases in the next t units, ``f`` units per month
(30 for days, 4.345 for weeks, as lifetimes), ``d`` the monthly discount rate and ``spend``
the expected average spend per purchase. Purchases in month m are discounted by m full
months (end-of-month cash flows). It values *future repeat* purchases only, not what a
customer already spent.

:func:`score_customers` fits both models (:func:`models.clv.fit_clv_models`), falls back to
the historical rules of :mod:`models.clv.fallback` for any half that cannot be fitted or
predicts a non-finite value, and returns one row per customer with no NaN or inf.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal

import numpy as np
import pandas as pd

from models.clv._validation import validate_summary
from models.clv.bgnbd import MIN_CUSTOMERS, conditional_expected_purchases, probability_alive
from models.clv.errors import ClvFitError, ClvInputError
from models.clv.fallback import (
    historical_average_spend,
    historical_expected_purchases,
    historical_probability_alive,
)
from models.clv.fit import ClvModelFit, fit_clv_models
from models.clv.gamma_gamma import MIN_SPENDERS, conditional_expected_average_spend
from models.clv.summary import TimeUnit

#: Units per month, as lifetimes' ``customer_lifetime_value`` (freq "D" / "W").
PERIODS_PER_MONTH: dict[str, float] = {"days": 30.0, "weeks": 4.345}

DIAGNOSTIC_COLUMNS = (
    "model", "model_params", "bgnbd_converged", "gamma_gamma_converged",
    "n_customers", "fallback_used", "fallback_reason",
)  # fmt: skip


def purchases_column(horizon_months: int) -> str:
    """Name of the expected-purchases column for a horizon, e.g. ``expected_purchases_12m``."""
    return f"expected_purchases_{horizon_months}m"


def _check_horizon(
    horizon_months: int, discount_rate_monthly: float, periods_per_month: float
) -> None:
    if (
        isinstance(horizon_months, bool)
        or not isinstance(horizon_months, int | np.integer)
        or horizon_months < 1
    ):
        raise ClvInputError(f"horizon_months must be a whole number >= 1, got {horizon_months!r}")
    if not np.isfinite(discount_rate_monthly) or not 0 <= discount_rate_monthly < 1:
        raise ClvInputError(
            f"discount_rate_monthly must be in [0, 1), got {discount_rate_monthly!r}"
        )
    if not np.isfinite(periods_per_month) or periods_per_month <= 0:
        raise ClvInputError(f"periods_per_month must be > 0, got {periods_per_month!r}")


def discounted_clv(
    cumulative_purchases: Callable[[float], np.ndarray],
    average_spend: np.ndarray,
    *,
    horizon_months: int = 12,
    discount_rate_monthly: float = 0.01,
    periods_per_month: float = PERIODS_PER_MONTH["days"],
) -> np.ndarray:
    """Discounted value of the expected purchases over the next ``horizon_months``.

    Args:
        cumulative_purchases: ``t -> E[Y(t)]`` per customer, t in the summary's unit.
        average_spend: expected spend per purchase, per customer.
        horizon_months: months to value (whole, >= 1).
        discount_rate_monthly: monthly discount rate d in [0, 1).
        periods_per_month: units of t per month.

    Returns:
        CLV per customer.

    Example:
        >>> discounted_clv(lambda t: np.array([t / 30.0]), np.array([100.0]),
        ...                horizon_months=2, discount_rate_monthly=0.0).tolist()
        [200.0]
    """
    _check_horizon(horizon_months, discount_rate_monthly, periods_per_month)
    grid = _cumulative_on_grid(cumulative_purchases, horizon_months, periods_per_month)
    return _discounted_sum(grid, np.asarray(average_spend, dtype="float64"), discount_rate_monthly)


def _cumulative_on_grid(
    cumulative_purchases: Callable[[float], np.ndarray],
    horizon_months: int,
    periods_per_month: float,
) -> np.ndarray:
    """E[Y(m·f)] for m = 0 … H, shape (H + 1, n)."""
    return np.vstack(
        [
            np.asarray(cumulative_purchases(month * periods_per_month), dtype="float64")
            for month in range(horizon_months + 1)
        ]
    )


def _discounted_sum(
    grid: np.ndarray, spend: np.ndarray, discount_rate_monthly: float
) -> np.ndarray:
    """spend · Σ_m (E[Y(m f)] - E[Y((m-1) f)]) / (1 + d)^m over the rows of ``grid``."""
    months = np.arange(1, grid.shape[0])
    factors = (1.0 + discount_rate_monthly) ** -months.astype("float64")
    return spend * (factors @ np.diff(grid, axis=0))


def _json_safe(value):
    """Replace non-finite floats (never expected) by None so the JSON is always valid."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if np.isfinite(value) else None
    return value


def _all_finite(*arrays: np.ndarray) -> bool:
    return all(bool(np.all(np.isfinite(a))) for a in arrays)


def _model_purchases(fit: ClvModelFit, x, t_x, T, horizon_months: int, per_month: float):
    """(p_alive, cumulative purchases on the monthly grid, issue) from BG/NBD, or the fallback.

    The fallback is used when BG/NBD is missing or any of its values is not finite.
    """
    if fit.bgnbd is not None:
        params = fit.bgnbd.params
        alive = probability_alive(params, x, t_x, T)
        grid = _cumulative_on_grid(
            lambda t: conditional_expected_purchases(params, t, x, t_x, T),
            horizon_months,
            per_month,
        )
        if _all_finite(alive, grid):
            return np.clip(alive, 0.0, 1.0), grid, None
        reason = "bgnbd: non-finite predictions"
    else:
        reason = None
    alive = historical_probability_alive(x, t_x, T)
    grid = _cumulative_on_grid(
        lambda t: historical_expected_purchases(t, x, t_x, T), horizon_months, per_month
    )
    return alive, grid, reason


def _model_spend(fit: ClvModelFit, x, m):
    if fit.gamma_gamma is not None:
        spend = conditional_expected_average_spend(fit.gamma_gamma.params, x, m)
        if _all_finite(spend):
            return spend, None
        return historical_average_spend(x, m), "gamma_gamma: non-finite predictions"
    return historical_average_spend(x, m), None


def _empty_scores(summary: pd.DataFrame, horizon_months: int) -> pd.DataFrame:
    floats = ("p_alive", purchases_column(horizon_months), "expected_avg_spend", "clv")
    columns = {"customer_id": summary["customer_id"]} | {
        c: pd.Series(dtype="float64") for c in floats
    }
    columns |= {c: pd.Series(dtype="str") for c in ("model", "model_params", "fallback_reason")}
    columns |= {
        c: pd.Series(dtype="bool")
        for c in ("bgnbd_converged", "gamma_gamma_converged", "fallback_used")
    }
    columns["n_customers"] = pd.Series(dtype="int64")
    return pd.DataFrame(columns)[["customer_id", *floats, *DIAGNOSTIC_COLUMNS]]


def score_customers(
    summary_df: pd.DataFrame,
    *,
    horizon_months: int = 12,
    discount_rate_monthly: float = 0.01,
    time_unit: TimeUnit = "days",
    periods_per_month: float | None = None,
    min_customers: int = MIN_CUSTOMERS,
    min_spenders: int = MIN_SPENDERS,
    on_degenerate: Literal["fallback", "raise"] = "fallback",
    fitted: ClvModelFit | None = None,
) -> pd.DataFrame:
    """Fit BG/NBD + Gamma-Gamma and score every customer: p_alive, expected purchases, spend, CLV.

    Args:
        summary_df: one row per customer, ``customer_id, frequency, recency, T,
            monetary_value`` in ``time_unit`` (:func:`models.clv.summarize_transactions`),
            spend in one currency.
        horizon_months: months of future purchases to value.
        discount_rate_monthly: monthly discount rate.
        time_unit: unit of recency and T (``"days"`` or ``"weeks"``).
        periods_per_month: override the units per month (default 30 days / 4.345 weeks).
        min_customers: fewest customers for BG/NBD; below it the historical fallback is used.
        min_spenders: fewest repeat buyers with positive spend for Gamma-Gamma.
        on_degenerate: ``"fallback"`` (default) uses the historical rules where a model
            cannot be fitted; ``"raise"`` raises :class:`ClvFitError` instead.
        fitted: a :func:`models.clv.fit_clv_models` result for this same summary, to score
            without refitting (the CLI reuses its fit); ``min_*`` are then ignored.

    Returns:
        One row per customer, in input order: ``customer_id``, ``p_alive`` [0, 1],
        ``expected_purchases_<horizon>m``, ``expected_avg_spend``, ``clv`` (all finite, >= 0),
        then the run's diagnostics, equal on every row: ``model`` (e.g.
        ``"bgnbd+gamma_gamma"``, ``"historical+historical"``), ``model_params`` (JSON of
        both fits: parameters, standard errors, log-likelihoods, the frequency-spend
        correlation), ``bgnbd_converged``, ``gamma_gamma_converged``, ``n_customers``,
        ``fallback_used`` and ``fallback_reason`` ("" when no fallback).

    Raises:
        ClvInputError: malformed summary or arguments.
        ClvFitError: only with ``on_degenerate="raise"``.

    Example:
        >>> scores = score_customers(summary, time_unit="weeks")          # doctest: +SKIP
        >>> scores[["customer_id", "p_alive", "clv"]].head(2)             # doctest: +SKIP
    """
    unit_per_month = (
        PERIODS_PER_MONTH.get(time_unit) if periods_per_month is None else periods_per_month
    )
    if unit_per_month is None:
        raise ClvInputError(
            f"time_unit must be one of {sorted(PERIODS_PER_MONTH)}, got {time_unit!r}"
        )
    _check_horizon(horizon_months, discount_rate_monthly, unit_per_month)
    clean = validate_summary(summary_df, require_monetary=True)
    if clean.empty:
        return _empty_scores(clean, horizon_months)
    fit = fitted or fit_clv_models(clean, min_customers=min_customers, min_spenders=min_spenders)
    if fit.n_customers != len(clean):
        raise ClvInputError(
            f"`fitted` was fitted on {fit.n_customers} customers, the summary has {len(clean)}"
        )
    if on_degenerate == "raise" and fit.fallback_used:
        raise ClvFitError(fit.fallback_reason)
    x, t_x, T = (clean[c].to_numpy() for c in ("frequency", "recency", "T"))
    m = clean["monetary_value"].to_numpy()
    alive, grid, purchase_issue = _model_purchases(fit, x, t_x, T, horizon_months, unit_per_month)
    spend, spend_issue = _model_spend(fit, x, m)
    clv = _discounted_sum(grid, spend, discount_rate_monthly)
    reasons = [r for r in (fit.fallback_reason, purchase_issue, spend_issue) if r]
    purchases_model = "bgnbd" if fit.bgnbd is not None and purchase_issue is None else "historical"
    spend_model = (
        "gamma_gamma" if fit.gamma_gamma is not None and spend_issue is None else "historical"
    )
    details = fit.to_dict() | {
        "time_unit": time_unit, "periods_per_month": unit_per_month,
        "horizon_months": horizon_months, "discount_rate_monthly": discount_rate_monthly,
    }  # fmt: skip
    out = pd.DataFrame(
        {
            "customer_id": clean["customer_id"].to_numpy(),
            "p_alive": alive,
            purchases_column(horizon_months): np.clip(grid[-1], 0.0, None),
            "expected_avg_spend": np.clip(spend, 0.0, None),
            "clv": np.clip(clv, 0.0, None),
        }
    )
    if not _all_finite(*(out[c].to_numpy() for c in out.columns[1:])):
        # only absurd magnitudes get here (e.g. monetary_value near 1e300 overflowing)
        raise ClvInputError("CLV overflowed: monetary_value or frequency too large to value")
    out["model"] = f"{purchases_model}+{spend_model}"
    out["model_params"] = json.dumps(_json_safe(details), allow_nan=False)
    out["bgnbd_converged"] = fit.bgnbd is not None
    out["gamma_gamma_converged"] = fit.gamma_gamma is not None
    out["n_customers"] = np.int64(fit.n_customers)
    out["fallback_used"] = bool(reasons)
    out["fallback_reason"] = "; ".join(reasons)
    return out
