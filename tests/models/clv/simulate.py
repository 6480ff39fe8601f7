"""Seeded BG/NBD x Gamma-Gamma customer simulator for parameter-recovery tests."""

from __future__ import annotations

import numpy as np
import pandas as pd


def simulate_summary(
    n: int,
    *,
    r: float,
    alpha: float,
    a: float,
    b: float,
    p: float,
    q: float,
    gamma: float,
    max_age: float,
    seed: int,
) -> pd.DataFrame:
    """RFM summaries of ``n`` customers drawn from the two models (ages uniform in (1, max_age))."""
    rng = np.random.default_rng(seed)
    rates = rng.gamma(r, 1.0 / alpha, n)
    dropouts = rng.beta(a, b, n)
    nus = rng.gamma(q, 1.0 / gamma, n)
    ages = rng.uniform(1.0, max_age, n)
    rows = []
    for i in range(n):
        clock, purchases = 0.0, []
        while True:
            clock += rng.exponential(1.0 / rates[i])
            if clock > ages[i]:
                break
            purchases.append(clock)
            if rng.random() < dropouts[i]:
                break
        x = len(purchases)
        spend = float(rng.gamma(p, 1.0 / nus[i], x).mean()) if x else 0.0
        rows.append((i, float(x), purchases[-1] if x else 0.0, ages[i], spend))
    return pd.DataFrame(
        rows, columns=["customer_id", "frequency", "recency", "T", "monetary_value"]
    )
