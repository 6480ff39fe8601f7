"""Typed errors of the CLV library: bad input versus a model that cannot be fitted.

``ClvInputError`` means the summary itself is wrong (missing columns, NaN, negative ages):
the caller must fix the data. ``ClvFitError`` means the data are valid but cannot support
the model (no repeat buyers, too few customers, the optimiser did not converge, a
parameter that makes the model meaningless): :func:`models.clv.score_customers` catches it
and switches to the documented historical fallback, the CLI reports it and exits 1.
"""

from __future__ import annotations


class ClvInputError(ValueError):
    """The RFM summary or the transactions handed to the library are malformed."""


class ClvFitError(RuntimeError):
    """A model cannot be fitted honestly to otherwise valid data."""
