"""RFM summary of a transaction log: the input of every CLV model.

Conventions (those of ``lifetimes.utils.summary_data_from_transaction_data`` with
``freq="D"``, and ``freq_multiplier=7`` for weeks, which is how the published CDNOW summary
is expressed):

- The purchase period is the calendar day (UTC). All of a customer's transactions on one day
  are one purchase, their amounts summed.
- A customer's first purchase day is their birth and is not a repeat purchase:
  ``frequency`` = number of distinct purchase days - 1, ``recency`` = last purchase day -
  first purchase day, ``T`` = observation end - first purchase day, in ``unit`` (days, or
  weeks = days / 7, fractional).
- ``monetary_value`` = mean of the per-day totals of the repeat purchase days (the first day
  excluded), 0 for one-time buyers.
- The observation end is inclusive; transactions after it are the holdout and are left out
  (:func:`calibration_and_holdout` summarises both sides). By default it is the last
  transaction day.

Bad input (null customer, date or amount, negative amounts) raises :class:`ClvInputError`
instead of being dropped; refunds must be netted or quarantined upstream.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import pandas as pd

from models.clv.errors import ClvInputError

TimeUnit = Literal["days", "weeks"]
DAYS_PER_UNIT: dict[str, float] = {"days": 1.0, "weeks": 7.0}
SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary_value")


def _to_utc_days(values: pd.Series, name: str) -> pd.Series:
    """Calendar day (UTC) of each value: aware timestamps converted, naive ones taken as UTC."""
    try:
        stamps = pd.to_datetime(values, utc=True)
    except (TypeError, ValueError) as exc:
        raise ClvInputError(f"column {name!r} is not a date/timestamp: {exc}") from exc
    if stamps.isna().any():
        raise ClvInputError(f"{int(stamps.isna().sum())} transaction(s) with a null {name!r}")
    return stamps.dt.tz_localize(None).dt.normalize()


def _day(value: str | dt.date | dt.datetime | pd.Timestamp) -> pd.Timestamp:
    return _to_utc_days(pd.Series([value]), "observation_end").iloc[0]


def _daily_purchases(
    transactions: pd.DataFrame, customer_id_col: str, date_col: str, amount_col: str | None
) -> pd.DataFrame:
    """One row per (customer, day) with the day's summed amount (column ``amount``)."""
    needed = [customer_id_col, date_col] + ([amount_col] if amount_col else [])
    missing = [c for c in needed if c not in transactions.columns]
    if missing:
        raise ClvInputError(f"transactions miss column(s) {missing}")
    if transactions[customer_id_col].isna().any():
        raise ClvInputError(
            f"{int(transactions[customer_id_col].isna().sum())} transaction(s) without a "
            "customer id"
        )
    frame = pd.DataFrame({"customer_id": transactions[customer_id_col].to_numpy()})
    frame["day"] = _to_utc_days(transactions[date_col], date_col).to_numpy()
    if amount_col:
        if transactions[amount_col].isna().any():
            raise ClvInputError(
                f"{int(transactions[amount_col].isna().sum())} transaction(s) with a null amount"
            )
        raw = transactions[amount_col]
        try:  # Decimal (decimal(18,4) money) arrives as objects: float() each
            numeric = raw if pd.api.types.is_numeric_dtype(raw) else raw.map(float)
            amount = pd.to_numeric(numeric, errors="raise").to_numpy(dtype="float64")
        except (TypeError, ValueError) as exc:
            raise ClvInputError(f"column {amount_col!r} must be numeric: {exc}") from exc
        if not np.all(np.isfinite(amount)):
            raise ClvInputError(
                f"{int((~np.isfinite(amount)).sum())} transaction(s) with an infinite amount"
            )
        if np.any(amount < 0):
            raise ClvInputError(
                f"{int((amount < 0).sum())} transaction(s) with a negative amount: net or "
                "quarantine refunds upstream"
            )
        frame["amount"] = amount
    else:
        frame["amount"] = 0.0
    return frame.groupby(["customer_id", "day"], as_index=False, sort=True)["amount"].sum()


def _summarise_days(daily: pd.DataFrame, end: pd.Timestamp, unit: TimeUnit) -> pd.DataFrame:
    scale = DAYS_PER_UNIT[unit]
    grouped = daily.groupby("customer_id", sort=True)
    first, last, count = grouped["day"].min(), grouped["day"].max(), grouped["day"].count()
    total = grouped["amount"].sum()
    first_amount = grouped["amount"].first()  # rows are sorted by day within each customer
    frequency = count - 1
    repeat_spend = (total - first_amount).where(frequency > 0, 0.0)
    return pd.DataFrame(
        {
            "customer_id": first.index.to_numpy(),
            "frequency": frequency.to_numpy(dtype="float64"),
            "recency": ((last - first).dt.days / scale).to_numpy(dtype="float64"),
            "T": ((end - first).dt.days / scale).to_numpy(dtype="float64"),
            "monetary_value": (repeat_spend / frequency.where(frequency > 0, 1)).to_numpy(
                dtype="float64"
            ),
        }
    )


def summarize_transactions(
    transactions: pd.DataFrame,
    *,
    observation_end: str | dt.date | dt.datetime | pd.Timestamp | None = None,
    unit: TimeUnit = "days",
    customer_id_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
) -> pd.DataFrame:
    """Summarise a transaction log into one RFM row per customer.

    Args:
        transactions: one row per transaction (several per day allowed).
        observation_end: last day of the observation window (inclusive); default the last
            transaction day. Later transactions are ignored.
        unit: ``"days"`` or ``"weeks"`` (days / 7) for recency and T.
        customer_id_col, date_col, amount_col: column names; ``amount_col=None`` gives
            ``monetary_value`` 0 everywhere.

    Returns:
        DataFrame ``customer_id, frequency, recency, T, monetary_value`` sorted by
        customer_id (floats; frequency is whole).

    Example:
        >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"],
        ...     "order_date": ["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-05"],
        ...     "amount": [10, 5, 20, 7]})
        >>> out = summarize_transactions(tx, observation_end="2024-01-15", unit="weeks")
        >>> out.round(3).values.tolist()
        [['a', 1.0, 1.0, 2.0, 20.0], ['b', 0.0, 0.0, 1.429, 0.0]]
    """
    if unit not in DAYS_PER_UNIT:
        raise ClvInputError(f"unit must be one of {sorted(DAYS_PER_UNIT)}, got {unit!r}")
    daily = _daily_purchases(transactions, customer_id_col, date_col, amount_col)
    end = daily["day"].max() if observation_end is None else _day(observation_end)
    daily = daily[daily["day"] <= end]
    if daily.empty:
        empty = {c: pd.Series(dtype="float64") for c in SUMMARY_COLUMNS}
        return pd.DataFrame(empty | {"customer_id": pd.Series(dtype="object")})
    return _summarise_days(daily, end, unit)


def calibration_and_holdout(
    transactions: pd.DataFrame,
    *,
    calibration_end: str | dt.date | dt.datetime | pd.Timestamp,
    observation_end: str | dt.date | dt.datetime | pd.Timestamp | None = None,
    unit: TimeUnit = "days",
    customer_id_col: str = "customer_id",
    date_col: str = "order_date",
    amount_col: str | None = "amount",
) -> pd.DataFrame:
    """Calibration summary plus what each calibration customer did in the holdout window.

    The calibration window ends at ``calibration_end`` (inclusive); the holdout is
    (``calibration_end``, ``observation_end``]. Customers first seen in the holdout are not
    in the result (the models predict only for known customers), as in lifetimes.

    Returns:
        The :func:`summarize_transactions` columns for the calibration window, plus
        ``frequency_holdout`` (distinct purchase days in the holdout), ``monetary_value_holdout``
        (mean per-day spend there, 0 if none; lifetimes averages raw transactions instead) and
        ``duration_holdout`` (its length in ``unit``).

    Example:
        >>> tx = pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "order_date": ["2024-01-01",
        ...     "2024-01-03", "2024-01-10", "2024-01-09"], "amount": [1, 2, 4, 8]})
        >>> out = calibration_and_holdout(tx, calibration_end="2024-01-05",
        ...                               observation_end="2024-01-12")
        >>> out[["customer_id", "frequency", "frequency_holdout", "duration_holdout"]
        ...     ].values.tolist()
        [['a', 1.0, 1.0, 7.0]]
    """
    if unit not in DAYS_PER_UNIT:
        raise ClvInputError(f"unit must be one of {sorted(DAYS_PER_UNIT)}, got {unit!r}")
    daily = _daily_purchases(transactions, customer_id_col, date_col, amount_col)
    cal_end = _day(calibration_end)
    obs_end = daily["day"].max() if observation_end is None else _day(observation_end)
    if obs_end <= cal_end:
        raise ClvInputError(
            f"observation_end {obs_end.date()} must be after calibration_end {cal_end.date()}"
        )
    calibration = daily[daily["day"] <= cal_end]
    if calibration.empty:
        raise ClvInputError(f"no transaction on or before calibration_end {cal_end.date()}")
    summary = _summarise_days(calibration, cal_end, unit)
    holdout = daily[(daily["day"] > cal_end) & (daily["day"] <= obs_end)].groupby("customer_id")[
        "amount"
    ]
    summary["frequency_holdout"] = (
        summary["customer_id"].map(holdout.count()).fillna(0).astype("float64")
    )
    summary["monetary_value_holdout"] = (
        summary["customer_id"].map(holdout.mean()).fillna(0.0).astype("float64")
    )
    summary["duration_holdout"] = (obs_end - cal_end).days / DAYS_PER_UNIT[unit]
    return summary
