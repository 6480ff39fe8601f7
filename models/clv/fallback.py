"""Historical-average predictions for data the BG/NBD or Gamma-Gamma model cannot be fitted to.

Used by :func:`models.clv.score_customers` when a fit raises :class:`ClvFitError` (all
one-time buyers, too few customers, constant or zero spend, no convergence) or its
predictions are not finite. The rules are deliberately simple and always finite:

Purchases (instead of BG/NBD):
    - A customer's historical repeat rate is ``frequency / T`` repeat purchases per unit
      (0 for T = 0).
    - ``p_alive = exp(-ρ · (T - recency))``: the chance that a still-active buyer with
      rate ρ stays silent as long as this customer has. ρ is the customer's own rate while
      active, ``frequency / recency``, for repeat buyers, and the pooled rate of the repeat
      buyers, ``Σ frequency / Σ recency``, for one-time buyers. With no repeat buyers at
      all ρ = 0 and p_alive = 1 (no evidence of churn, as BG/NBD assumes for x = 0).
    - Expected purchases in the next t units: ``p_alive · frequency / T · t``. With no
      repeat purchase anywhere this is 0, and so is CLV: the history predicts no repeat
      revenue.

Spend (instead of Gamma-Gamma):
    - A repeat buyer's own mean repeat spend (0 if their repeat purchases were free); for
      one-time buyers the mean of that over repeat buyers, or 0 if there are none (zero
      spend everywhere gives CLV 0).
"""

from __future__ import annotations

import numpy as np


def historical_rate(frequency, T) -> np.ndarray:
    """Repeat purchases per unit of customer age: frequency / T (0 where T = 0)."""
    x, age = np.asarray(frequency, dtype="float64"), np.asarray(T, dtype="float64")
    return np.divide(x, age, out=np.zeros_like(x), where=age > 0)


def historical_probability_alive(frequency, recency, T) -> np.ndarray:
    """Recency rule: exp(-ρ · (T - recency)), see the module docstring for ρ.

    Example:
        >>> historical_probability_alive([2, 0], [10.0, 0.0], [20.0, 5.0]).round(4).tolist()
        [0.1353, 0.3679]
    """
    x, t_x, age = (np.asarray(v, dtype="float64") for v in (frequency, recency, T))
    repeat = x > 0
    pooled = (
        float(x[repeat].sum() / t_x[repeat].sum())
        if repeat.any() and t_x[repeat].sum() > 0
        else 0.0
    )
    own = np.divide(x, t_x, out=np.zeros_like(x), where=repeat & (t_x > 0))
    rate = np.where(repeat, own, pooled)
    return np.exp(-rate * np.clip(age - t_x, 0.0, None))


def historical_expected_purchases(t, frequency, recency, T) -> np.ndarray:
    """p_alive · historical rate · t: expected repeat purchases in the next ``t`` units.

    Example:
        >>> historical_expected_purchases(10.0, [2, 0], [10.0, 0.0], [20.0, 5.0]).round(4).tolist()
        [0.1353, 0.0]
    """
    alive = historical_probability_alive(frequency, recency, T)
    return alive * historical_rate(frequency, T) * np.asarray(t, dtype="float64")


def historical_average_spend(frequency, monetary_value) -> np.ndarray:
    """Own mean repeat spend for repeat buyers, their average for one-time buyers, else 0.

    Example:
        >>> historical_average_spend([1, 3, 0, 2], [12.0, 30.0, 0.0, 0.0]).tolist()
        [12.0, 30.0, 14.0, 0.0]
    """
    x, m = np.asarray(frequency, dtype="float64"), np.asarray(monetary_value, dtype="float64")
    repeat = x > 0
    population = float(m[repeat].mean()) if repeat.any() else 0.0
    return np.where(repeat, m, population)
