"""Order bodies. Prices, status, buyer and business unit are never accepted from a client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel
from transactional.schemas.recommendations import FromRecommendation

#: The largest quantity a line, an MOQ, an order multiple or a price tier may name.
MAX_QUANTITY = 100_000_000


class OrderLineCreate(RequestModel):
    """``quantity`` units of one offer."""

    offer_id: Id
    quantity: int = Field(ge=1, le=MAX_QUANTITY)
    from_recommendation: FromRecommendation | None = Field(
        default=None, description="set when the buyer added the line from a recommendation")


class ShipTo(RequestModel):
    """Where the goods go; coordinates let routing pick the cheapest warehouses."""

    address: str | None = Field(default=None, max_length=500)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)


class OrderCreate(RequestModel):
    """A new order: lines of one supplier's offers. Send an ``Idempotency-Key`` header."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "lines": [{"offer_id": 1, "quantity": 200}, {"offer_id": 2, "quantity": 50}],
        "ship_to": {"address": "Datong power plant, gate 3", "latitude": 40.08,
                    "longitude": 113.3},
        "note": "deliver weekdays",
    }]})

    lines: list[OrderLineCreate] = Field(min_length=1, max_length=100)
    ship_to: ShipTo | None = None
    note: str | None = Field(default=None, max_length=1000)
    contract_id: Id | None = Field(
        default=None, description="a call-off: price every line at this framework contract's "
                                  "tiers and take its quantities off the contract's remaining "
                                  "quantity (409 when expired, unsigned or exhausted)")
    coupon_code: str | None = Field(default=None, min_length=1, max_length=64,
                                    description="a coupon issued to you (redeemed once; 422/409 "
                                                "when it cannot apply, and nothing is placed)")
    points_to_redeem: int | None = Field(default=None, ge=1, le=10**9,
                                         description="loyalty points to pay part of the order with, at the "
                                                     "unit's point value (FIFO from the earliest-expiring; 422 "
                                                     "points_unavailable / 409 points_insufficient, nothing placed)")


class OrderTransitionCreate(RequestModel):
    """Optional reason recorded with a status change."""

    reason: str | None = Field(default=None, max_length=500)


class AllocationPublic(BaseModel):
    """Part of a line shipped from one warehouse."""

    warehouse_id: int
    quantity: int
    distance_km: float
    unit_shipping_cost: Decimal
    shipping_currency: str


class AppliedPromotionPublic(BaseModel):
    """A price promotion's share of a line's discount."""

    promotion_id: int
    promotion_version: int
    kind: str
    sequence: int  # application order within the order
    amount: Decimal


class LineRebatePublic(BaseModel):
    """A tiered dealer rebate the line earned at delivery (negative: reversed by a refund)."""

    promotion_id: int
    promotion_version: int
    kind: str  # accrual | reversal
    dealer_account_id: int
    period_start: dt.date
    volume: Decimal
    amount: Decimal
    currency: str
    tiers: list[dict]
    fx_rate: Decimal | None
    fx_rate_date: dt.date | None
    fx_source: str | None


class OrderLinePublic(BaseModel):
    line_no: int
    offer_id: int
    offer_version: int
    sku_id: int
    quantity: int
    unit_price: Decimal
    line_amount: Decimal  # gross: quantity x unit price
    discount_amount: Decimal
    net_amount: Decimal
    currency: str
    promotions: list[AppliedPromotionPublic]
    rebates: list[LineRebatePublic]
    allocations: list[AllocationPublic]


class ApprovalPublic(BaseModel):
    """Why and until when an order waits for approval, and the decision."""

    status: str  # pending | approved | rejected | expired | cancelled
    order_amount: Decimal
    order_currency: str
    limit_amount: Decimal
    limit_currency: str
    converted_amount: Decimal | None
    fx_rate: Decimal | None
    fx_rate_date: dt.date | None
    fx_source: str | None
    requested_at: dt.datetime
    expires_at: dt.datetime
    decided_at: dt.datetime | None
    decided_by: int | None
    reason: str | None


class RiskReasonPublic(BaseModel):
    code: str  # split | velocity | quantity_history | amount_history | price_market | new_supplier | model
    text: str


class RiskReviewPublic(BaseModel):
    outcome: str  # cleared | confirmed_fraud
    decided_by: int
    decided_at: dt.datetime
    reason: str | None


class RiskPublic(BaseModel):
    """The risk guard's verdict at placement (``transactional/risk``) and its review."""

    score: float
    level: str  # low | medium | high
    decision: str  # allow | review | block
    model_version: str  # "rules" when no champion model (or no profile) scored it
    profile_version: str | None
    reasons: list[RiskReasonPublic]
    review: RiskReviewPublic | None


class ShipToPublic(BaseModel):
    address: str | None
    latitude: float | None
    longitude: float | None


class OrderPublic(BaseModel):
    """An order with its priced lines (promotions applied, rebates earned), its approval
    and where each line ships from."""

    id: int
    business_unit: str
    buyer_user_id: int
    supplier_id: str
    status: str
    currency: str
    gross_amount: Decimal
    discount_amount: Decimal
    total_amount: Decimal  # payable: gross - discount
    ship_to: ShipToPublic
    note: str | None
    placed_at: dt.datetime
    updated_at: dt.datetime
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    approved_at: dt.datetime | None
    rejected_at: dt.datetime | None
    expired_at: dt.datetime | None
    settled_at: dt.datetime | None
    statement_id: int | None
    approval: ApprovalPublic | None
    risk: RiskPublic | None = None
    contract_id: int | None = None  # the framework contract of a call-off
    lines: list[OrderLinePublic]
