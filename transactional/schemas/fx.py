"""FX rate and approval-limit bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import RequestModel


class FxRateSet(RequestModel):
    """One dated rate: 1 ``from_currency`` = ``rate`` ``to_currency``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "rate_date": "2026-11-25", "from_currency": "USD", "to_currency": "CNY",
        "rate": "7.10230000", "source": "treasury desk"}]})

    rate_date: dt.date
    from_currency: str = Field(min_length=3, max_length=3)
    to_currency: str = Field(min_length=3, max_length=3)
    rate: Decimal = Field(gt=0, max_digits=18, decimal_places=8)
    source: str | None = Field(default=None, max_length=120)


class FxRatePublic(BaseModel):
    rate_date: dt.date
    from_currency: str
    to_currency: str
    rate: Decimal
    source: str
    updated_at: dt.datetime


class ApprovalLimitSet(RequestModel):
    """Orders above this amount wait for procurement approval."""

    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    currency: str = Field(min_length=3, max_length=3)


class ApprovalLimitPublic(BaseModel):
    business_unit: str
    amount: Decimal
    currency: str


class ApprovalLimitChangePublic(BaseModel):
    """A requested approval-limit change; it applies once a second person confirms it."""

    id: int
    business_unit: str
    amount: Decimal
    currency: str
    status: str  # pending | confirmed | rejected | superseded
    requested_by: int
    requested_role: str
    requested_at: dt.datetime
    decided_by: int | None = None
    decided_role: str | None = None
    decided_at: dt.datetime | None = None
    reason: str | None = None


class ApprovalLimitChangeReject(RequestModel):
    """Why a requested change is refused."""

    reason: str = Field(min_length=1, max_length=500)
