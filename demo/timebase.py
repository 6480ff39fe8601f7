"""Time in the simulator: UTC epoch seconds as float64 (NaN = never), days, calendars.

Every timestamp column is held as float seconds since 1970-01-01 UTC while simulating
(exact for whole seconds; NaN compares False with any cutoff, so "never happens" and "not
yet happened" are the same test). Business dates are float days since the epoch. The
order-intake calendar combines each unit's monthly seasonality, quieter weekends and the
Spring Festival dip. Business hours are China time (UTC+8).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

DAY = 86_400.0
HOUR = 3_600.0
CHINA_OFFSET = 8 * HOUR
UTC = dt.UTC


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01."""
    return (day - dt.date(1970, 1, 1)).days


def seconds_of(day: dt.date) -> float:
    """Epoch seconds of midnight UTC of ``day``."""
    return day_number(day) * DAY


def date_of_day(day: int) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def local_day(seconds: np.ndarray) -> np.ndarray:
    """China calendar day number of UTC epoch seconds (NaN stays NaN)."""
    return np.floor((seconds + CHINA_OFFSET) / DAY)


def day_weights(first_day: int, n_days: int, seasonality: tuple[float, ...], weekend_factor: float,
                festival_days: list[int], festival_factor: float) -> np.ndarray:
    """Relative order intake of each day in ``[first_day, first_day + n_days)`` (sums to 1)."""
    days = np.arange(first_day, first_day + n_days)
    dates = days.astype("datetime64[D]")
    months = dates.astype("datetime64[M]").astype(int) % 12
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    w = np.asarray(seasonality, dtype=float)[months]
    w = w * np.where(weekday >= 5, weekend_factor, 1.0)
    for festival in festival_days:
        w = np.where(np.abs(days - festival) <= 4, w * festival_factor, w)
    return w / w.sum()


def business_time(rng: np.random.Generator, local_days: np.ndarray, *, start_h: float = 8.5,
                  end_h: float = 18.0) -> np.ndarray:
    """UTC seconds at a random office-hours moment (China time) of each local day."""
    hours = rng.uniform(start_h, end_h, len(local_days))
    return np.floor(local_days * DAY + hours * HOUR - CHINA_OFFSET)


def add_business_hours(rng: np.random.Generator, start: np.ndarray, median_hours: np.ndarray | float,
                       sigma: float = 0.8) -> np.ndarray:
    """``start`` plus a lognormal delay, moved into the next office hours if it lands at night."""
    delay = rng.lognormal(np.log(np.maximum(median_hours, 0.05)), sigma, len(start)) * HOUR
    t = start + delay
    local_hour = ((t + CHINA_OFFSET) % DAY) / HOUR
    night = (local_hour < 8.0) | (local_hour >= 19.0)
    next_morning = (np.floor((t + CHINA_OFFSET) / DAY) + (local_hour >= 19.0)) * DAY - CHINA_OFFSET + 8.5 * HOUR
    return np.floor(np.where(night, next_morning + rng.uniform(0, 2 * HOUR, len(t)), t))


def iso_strings(seconds: np.ndarray, *, sep: str = " ", micros: bool = True) -> np.ndarray:
    """Vectorised UTC strings (``YYYY-MM-DD HH:MM:SS.000000``); NaN becomes None."""
    mask = np.isnan(seconds)
    if len(seconds) == 0:
        return np.array([], dtype=object)
    safe = np.where(mask, 0, seconds).astype("int64").astype("datetime64[s]")
    text = np.datetime_as_string(safe, unit="s")
    text = np.char.replace(text, "T", sep)
    if micros:
        text = np.char.add(text, ".000000")
    out = text.astype(object)
    out[mask] = None
    return out


def date_strings(days: np.ndarray) -> np.ndarray:
    """Vectorised ``YYYY-MM-DD`` of day numbers; NaN becomes None."""
    mask = np.isnan(days)
    if len(days) == 0:
        return np.array([], dtype=object)
    safe = np.where(mask, 0, days).astype("int64").astype("datetime64[D]")
    out = np.datetime_as_string(safe, unit="D").astype(object)
    out[mask] = None
    return out


def to_datetimes(seconds: np.ndarray) -> list[dt.datetime | None]:
    """Aware UTC datetimes (for database drivers that need objects); NaN becomes None."""
    return [None if math.isnan(s) else dt.datetime.fromtimestamp(s, UTC) for s in seconds.tolist()]


def to_dates(days: np.ndarray) -> list[dt.date | None]:
    return [None if math.isnan(d) else date_of_day(d) for d in days.tolist()]
