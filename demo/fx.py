"""Daily reference exchange rates to CNY (a seeded random walk from late-2024 levels).

Rates are published on weekdays (like the PBOC central parity); lookups for a weekend use
the last published rate. The series runs from shortly before the window to years past
its end, so ``advance`` always finds a rate; future rows stay pending until their date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.rng import substream
from demo.timebase import business_time, date_strings

#: CNY per unit at the start of the window, and daily volatility.
BASE_RATES = {"USD": (7.12, 0.0025), "EUR": (7.75, 0.0035), "JPY": (0.0470, 0.0045),
              "AUD": (4.70, 0.0045), "IDR": (0.000452, 0.0040)}


@dataclass
class FxTable:
    """Rates per currency per day (forward-filled) and the published rows."""

    first_day: int
    currencies: tuple[str, ...]
    daily: np.ndarray  # shape (len(currencies), n_days): CNY per unit
    rows: pd.DataFrame  # fx_rates rows (created_at/updated_at as epoch seconds)

    def rate(self, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        """CNY per unit of ``currency`` on ``day`` (1.0 for CNY), vectorised."""
        out = np.ones(len(currency))
        idx = np.clip((day - self.first_day).astype(int), 0, self.daily.shape[1] - 1)
        for ci, code in enumerate(self.currencies):
            mask = currency == code
            out[mask] = self.daily[ci, idx[mask]]
        return out


def build_fx(seed: int, first_day: int, n_days: int) -> FxTable:
    """The rate series for ``[first_day, first_day + n_days)``."""
    rng = substream(seed, "fx")
    currencies = tuple(BASE_RATES)
    days = np.arange(first_day, first_day + n_days)
    weekday = (days + 3) % 7
    published = weekday < 5
    daily = np.empty((len(currencies), n_days))
    frames = []
    for ci, code in enumerate(currencies):
        base, vol = BASE_RATES[code]
        steps = rng.normal(0, vol, n_days) * published
        walk = base * np.exp(np.cumsum(steps) - 0.5 * vol**2 * np.cumsum(published))
        daily[ci] = walk
        pub_days = days[published].astype(float)
        created = business_time(rng, pub_days, start_h=9.25, end_h=9.5)
        frames.append(pd.DataFrame({
            "fx_rate_id": [f"FX-{d}-{code}" for d in date_strings(pub_days)],
            "rate_date": pub_days, "from_currency": code, "to_currency": "CNY",
            "rate": np.round(walk[published], 8), "source": "PBOC central parity (simulated)",
            "created_at": created, "updated_at": created,
        }))
    rows = pd.concat(frames, ignore_index=True).sort_values(["rate_date", "from_currency"], kind="stable")
    rows = rows.reset_index(drop=True)
    # the rate of a weekend day is the last published one: the walk is flat there already
    assert np.all(np.isfinite(daily))
    return FxTable(first_day=first_day, currencies=currencies, daily=daily, rows=rows)
