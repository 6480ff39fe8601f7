"""Offer bodies. The supplier comes from the caller's token, never from the body."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel
from transactional.schemas.orders import MAX_QUANTITY


class PriceTierIn(RequestModel):
    """Unit price from ``min_quantity`` units upwards."""

    min_quantity: int = Field(ge=1, le=MAX_QUANTITY)
    unit_price: Decimal = Field(gt=0, max_digits=18, decimal_places=4)


class OfferCreate(RequestModel):
    """A supplier's offer for one SKU."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "sku_id": 1, "currency": "CNY", "moq": 100, "order_multiple": 50,
        "lead_time_days": 7,
        "price_tiers": [{"min_quantity": 100, "unit_price": "820.00"},
                        {"min_quantity": 1000, "unit_price": "805.50"}],
    }]})

    sku_id: Id
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    moq: int = Field(ge=1, le=MAX_QUANTITY)
    order_multiple: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    lead_time_days: int = Field(default=0, ge=0, le=3650)
    price_tiers: list[PriceTierIn] = Field(min_length=1, max_length=50)


class OfferUpdate(RequestModel):
    """Changes to an offer; omitted fields stay. ``price_tiers`` replaces all tiers."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"price_tiers": [{"min_quantity": 100, "unit_price": "815.00"}], "lead_time_days": 5},
    ]})

    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    moq: int | None = Field(default=None, ge=1, le=MAX_QUANTITY)
    order_multiple: int | None = Field(default=None, ge=1, le=MAX_QUANTITY)
    lead_time_days: int | None = Field(default=None, ge=0, le=3650)
    is_active: bool | None = None
    price_tiers: list[PriceTierIn] | None = Field(default=None, min_length=1, max_length=50)


class PriceTierPublic(BaseModel):
    min_quantity: int
    unit_price: Decimal


class ContractPricePublic(BaseModel):
    """A framework contract in force for the caller's unit that prices this offer's SKU
    (order at it with ``POST /orders`` and ``contract_id``)."""

    contract_id: int
    contract_line_id: int
    currency: str
    price_tiers: list[PriceTierPublic]
    remaining_quantity: int
    valid_to: dt.date


class SupplierScorePublic(BaseModel):
    """The supplier's served scorecard summary (applied from the lake's scorecards)."""

    overall: float | None = Field(description="overall score 0–100 (higher is better)")
    low: float | None = Field(description="lower end of the score's interval")
    high: float | None = Field(description="upper end of the score's interval")
    category: str | None = Field(description="the supplier's main category")
    category_rank: int | None = Field(description="rank in that category (1 = best)")
    category_ranked_count: int | None = Field(description="ranked suppliers in that category")
    badge: str | None = Field(description="top_decile, watch, listed (elimination list), unranked, or none")
    unranked_reason: str | None = None
    scorecard_month: str | None = Field(description="the scorecard month it comes from (YYYY-MM-DD)")


class OfferPublic(BaseModel):
    """An offer with its tiers and the stock its supplier holds for the SKU."""

    id: int
    supplier_id: str
    supplier_name: str | None = None
    sku_id: int
    currency: str
    moq: int
    order_multiple: int
    lead_time_days: int
    is_active: bool
    version: int
    price_tiers: list[PriceTierPublic]
    available_quantity: int
    created_at: dt.datetime
    updated_at: dt.datetime
    orderable: bool = True  # False: the supplier is suspended (elimination list, enforcement on)
    not_orderable_reason: str | None = None
    contract_prices: list[ContractPricePublic] = []  # the caller's unit's contracts in force
    supplier_score: SupplierScorePublic | None = None  # None: no served scorecard for the supplier
