"""Sourcing event, bid and award bodies (#28)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, Field

from infra.http.validators import Id, RequestModel


class EventLineCreate(RequestModel):
    """A line: a SKU, or a free-text item with its specification."""

    sku_id: Id | None = None
    item: str | None = Field(default=None, max_length=200)
    specification: str | None = Field(default=None, max_length=2000)
    quantity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    need_by: dt.date
    delivery_warehouse_id: Id | None = None


class Invitation(RequestModel):
    """An invited supplier and the scorecard score it was chosen on (optional)."""

    supplier_id: str = Field(min_length=1, max_length=64)
    score: float | None = Field(default=None, ge=-1e6, le=1e6)


class AwardRules(RequestModel):
    """Business rules of the award."""

    max_suppliers: int | None = Field(default=None, ge=1, le=1000)
    max_share: Decimal | None = Field(default=None, gt=0, le=1)
    min_score: float | None = Field(default=None, ge=-1e6, le=1e6)
    exclude_suspended: bool = True


class SourcingEventCreate(RequestModel):
    """Open a call for tenders."""

    title: str = Field(min_length=3, max_length=200)
    closes_at: dt.datetime
    lines: list[EventLineCreate] = Field(min_length=1, max_length=500)
    invited: list[Invitation] = Field(min_length=1, max_length=200)
    rules: AwardRules = Field(default_factory=AwardRules)


class BidTier(RequestModel):
    """All-units tier: ``unit_price`` for every unit when the quantity >= ``min_qty``."""

    min_qty: Decimal = Field(ge=0, max_digits=18, decimal_places=4)
    unit_price: Decimal = Field(gt=0, max_digits=18, decimal_places=4)


class BidLine(RequestModel):
    """A quote for one event line."""

    line_no: int = Field(ge=1, le=500)
    tiers: list[BidTier] = Field(min_length=1, max_length=10)
    moq: Decimal = Field(default=Decimal(0), ge=0, max_digits=18, decimal_places=4)
    multiple: Decimal = Field(default=Decimal(1), gt=0, max_digits=18, decimal_places=4)
    capacity: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    lead_time_days: int = Field(ge=0, le=3650)
    ship_from_warehouse_id: Id | None = None


class BundleCondition(RequestModel):
    """``lines``: ``discount_pct`` off those lines if awarded all of them; ``spend``:
    ``discount_pct`` off the whole award when its gross is >= ``min_spend`` (bid currency)."""

    kind: Literal["lines", "spend"]
    discount_pct: Decimal = Field(gt=0, lt=100, max_digits=7, decimal_places=4)
    line_nos: list[int] | None = Field(default=None, max_length=500)
    min_spend: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=4)


class BidSubmit(RequestModel):
    """A bid (or its revision) of the calling supplier."""

    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    valid_until: dt.date
    lines: list[BidLine] = Field(min_length=1, max_length=500)
    bundles: list[BundleCondition] = Field(default_factory=list, max_length=20)


class SourcingEventPublic(BaseModel):
    id: int
    business_unit: str
    title: str
    status: str
    currency: str
    closes_at: dt.datetime
    created_at: dt.datetime
    closed_at: dt.datetime | None
    lines: list[dict[str, Any]]
    invited: list[str]
    rules: dict[str, Any] | None
    created_by: int | None = None


class BidPublic(BaseModel):
    id: int
    event_id: int
    supplier_id: str
    revision: int
    currency: str
    valid_until: dt.date
    lines: list[dict[str, Any]]
    bundles: list[dict[str, Any]]
    submitted_at: dt.datetime
    updated_at: dt.datetime


class AwardContractsCreate(RequestModel):
    """The call-off window of the framework contracts drawn from an approved award."""

    valid_from: dt.date = Field(description="first day call-offs may be placed (UTC, inclusive)")
    valid_to: dt.date = Field(description="last day call-offs may be placed (UTC, inclusive)")
