"""Category price indices: a drift per category plus a seeded monthly random walk.

Coal drifts down over the window, copper up, cement down … (the annual drifts live in the
category data). Offers quote from the index at the start of their validity; sales price
lists follow it too, so price history and margin analyses see realistic movements.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from demo.catalogue_data import CATEGORIES
from demo.rng import substream


def month_number(seconds: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of UTC epoch seconds (vectorised)."""
    return seconds.astype("int64").astype("datetime64[s]").astype("datetime64[M]").astype("int64")


def month_of_date(day: dt.date) -> int:
    return (day.year - 1970) * 12 + day.month - 1


def month_start_day(month: np.ndarray | int) -> np.ndarray:
    """Day number of the first day of month number ``month``."""
    return np.asarray(month, dtype="int64").astype("datetime64[M]").astype("datetime64[D]").astype("int64")


def build_price_index(seed: int, n_months: int) -> np.ndarray:
    """Index (1.0 at month 0) per category and month since the window start, shape (n_cat, n_months)."""
    rng = substream(seed, "price_index")
    index = np.empty((len(CATEGORIES), n_months))
    months = np.arange(n_months)
    for ci, cat in enumerate(CATEGORIES):
        shocks = rng.normal(0, cat["vol"], n_months)
        shocks[0] = 0.0
        index[ci] = np.exp(cat["drift"] * months / 12 + np.cumsum(shocks) * 0.7)
    return index
