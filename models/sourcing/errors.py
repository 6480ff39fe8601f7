"""Typed error of the sourcing optimiser: the requisition itself is malformed."""

from __future__ import annotations


class SourcingInputError(ValueError):
    """The requisition JSON is malformed (missing field, wrong type, negative quantity …)."""
