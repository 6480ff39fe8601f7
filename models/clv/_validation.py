"""Checks on an RFM summary shared by the fitters, the scorer and the CLI.

A summary has one row per customer with ``frequency`` (repeat purchase periods, an
integer >= 0), ``recency`` (age at the last purchase, 0 for one-time buyers), ``T`` (age at
the end of the observation window, >= recency; 0 for a customer first seen on the last
day) and, for spend models, ``monetary_value`` (mean spend of the repeat purchases, >= 0,
0 for one-time buyers).
Bad rows are never dropped silently: the first problems are named in a :class:`ClvInputError`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from models.clv.errors import ClvInputError

SUMMARY_COLUMNS = ("customer_id", "frequency", "recency", "T")
MONETARY_COLUMN = "monetary_value"

#: Slack for recency > T from rounding in an upstream summary (in the summary's unit).
_AGE_TOLERANCE = 1e-9


def _as_float(df: pd.DataFrame, column: str) -> np.ndarray:
    """Column as float64, rejecting text and Decimal oddities with a clear message."""
    try:
        values = pd.to_numeric(df[column], errors="raise")
    except (TypeError, ValueError) as exc:
        raise ClvInputError(f"column {column!r} must be numeric: {exc}") from exc
    return np.asarray(values, dtype="float64")


def _complain(name: str, mask: np.ndarray, ids: pd.Series, what: str) -> None:
    if mask.any():
        bad = ids[mask].head(5).tolist()
        raise ClvInputError(
            f"{int(mask.sum())} row(s) where {name} {what}; first customer_id(s): {bad}"
        )


def validate_summary(
    summary: pd.DataFrame, *, require_monetary: bool = False, extra_required: Iterable[str] = ()
) -> pd.DataFrame:
    """Return a clean float copy of an RFM summary, or raise :class:`ClvInputError`.

    Args:
        summary: one row per customer with ``customer_id, frequency, recency, T``
            (and ``monetary_value`` when ``require_monetary``).
        require_monetary: whether ``monetary_value`` must be present.
        extra_required: further columns that must exist.

    Returns:
        A new DataFrame with the same columns, numeric ones as float64, index reset.

    Example:
        >>> import pandas as pd
        >>> validate_summary(pd.DataFrame({"customer_id": [1], "frequency": [0],
        ...                                "recency": [0.0], "T": [5.0]}))["T"].tolist()
        [5.0]
    """
    if not isinstance(summary, pd.DataFrame):
        raise ClvInputError(f"expected a pandas DataFrame, got {type(summary).__name__}")
    required = (
        list(SUMMARY_COLUMNS)
        + ([MONETARY_COLUMN] if require_monetary else [])
        + list(extra_required)
    )
    missing = [c for c in required if c not in summary.columns]
    if missing:
        raise ClvInputError(f"missing column(s) {missing}; expected {required}")
    out = summary.reset_index(drop=True).copy()
    ids = out["customer_id"]
    if ids.isna().any():
        raise ClvInputError(f"{int(ids.isna().sum())} row(s) with a null customer_id")
    if ids.duplicated().any():
        raise ClvInputError(f"duplicate customer_id(s): {ids[ids.duplicated()].head(5).tolist()}")
    numeric = ["frequency", "recency", "T"] + (
        [MONETARY_COLUMN] if MONETARY_COLUMN in out.columns else []
    )
    for column in numeric:
        values = _as_float(out, column)
        _complain(column, ~np.isfinite(values), ids, "is null, NaN or infinite")
        out[column] = values
    x, t_x, age = out["frequency"].to_numpy(), out["recency"].to_numpy(), out["T"].to_numpy()
    _complain("frequency", (x < 0) | (x != np.round(x)), ids, "is not a whole number >= 0")
    _complain("recency", t_x < 0, ids, "is negative")
    _complain("T", age < 0, ids, "is negative")
    _complain("recency", t_x > age + _AGE_TOLERANCE, ids, "is greater than T")
    _complain("recency", (x == 0) & (t_x != 0), ids, "is not 0 for a one-time buyer (frequency 0)")
    _complain("recency", (x > 0) & (t_x == 0), ids, "is 0 for a repeat buyer (frequency > 0)")
    if MONETARY_COLUMN in out.columns:
        _complain(MONETARY_COLUMN, out[MONETARY_COLUMN].to_numpy() < 0, ids, "is negative")
    return out
