"""Risk review bodies."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from infra.http.validators import RequestModel


class RiskReviewCreate(RequestModel):
    """The outcome of a risk review: ``cleared`` releases the order, ``confirmed_fraud``
    refuses it (a reason is required)."""

    outcome: Literal["cleared", "confirmed_fraud"]
    reason: str | None = Field(default=None, max_length=500, examples=["verified with the supplier by phone"])
