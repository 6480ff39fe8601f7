"""Benefit bodies: segment policies, coupon campaigns and issuing them, the customer 360."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel

#: The largest amount a campaign may name (decimal(18,4)).
MAX_AMOUNT = 10**14 - 1

_POLICY_EXAMPLE = {
    "currency": "CNY", "note": "champions: 60 days and an account manager",
    "rules": {
        "default": {"payment_terms_days": 30, "credit_limit": "0", "account_manager": False,
                    "discount_tier": "standard", "campaigns": []},
        "segments": {
            "champions": {"payment_terms_days": 60, "credit_limit": "500000", "account_manager": True,
                          "discount_tier": "gold"},
            "hibernating": {"campaigns": ["COAL-WAKEUP-200"]},
        },
    },
}


class PolicyCreate(RequestModel):
    """A new version of a unit's segment → benefit policy. ``rules.default`` names every
    field; ``rules.segments.<segment>`` only what differs (segments: champions, loyal,
    potential_loyalists, new_customers, promising, need_attention, about_to_sleep,
    cannot_lose, at_risk, hibernating, lost). ``campaigns``: codes of the unit's coupon
    campaigns the segment receives."""

    model_config = ConfigDict(json_schema_extra={"examples": [_POLICY_EXAMPLE]})

    currency: str = Field(min_length=3, max_length=3)
    rules: dict[str, Any]
    note: str | None = Field(default=None, max_length=500)


class PolicyPublic(BaseModel):
    business_unit: str
    version: int
    currency: str
    rules: dict[str, Any]
    note: str | None
    created_at: dt.datetime
    created_by: int
    customers_regranted: int | None = None
    unchanged: bool | None = None


class CampaignCreate(RequestModel):
    """A coupon campaign. ``kind``: ``amount_off`` (``amount``), ``percent_off``
    (``percent``, capped by ``max_discount``), ``threshold`` (满减: ``amount`` off once the
    order reaches ``min_order_amount``; per full ``min_order_amount`` when ``repeat``).
    ``min_order_amount`` also gates the other kinds. Coupons apply to the order's amount
    after price promotions; ``stacks_with_promotions: false`` refuses them on promoted
    orders."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "COAL-WAKEUP-200", "name": "满2000减200 for hibernating dealers", "business_unit": "COAL",
        "kind": "threshold", "currency": "CNY", "amount": "200", "min_order_amount": "2000",
        "per_customer_limit": 1, "valid_to": "2027-01-31T00:00:00Z"}]})

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    business_unit: str = Field(min_length=1, max_length=32)
    kind: Literal["amount_off", "percent_off", "threshold"]
    currency: str = Field(min_length=3, max_length=3)
    amount: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    percent: Decimal | None = Field(default=None, gt=0, le=100)
    max_discount: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    min_order_amount: Decimal | None = Field(default=None, ge=0, le=MAX_AMOUNT)
    repeat: bool = False
    per_customer_limit: int = Field(default=1, ge=1, le=1000)
    stacks_with_promotions: bool = True
    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None


class CampaignPublic(BaseModel):
    id: int
    code: str
    name: str
    business_unit: str
    kind: str
    currency: str
    amount: Decimal | None
    percent: Decimal | None
    max_discount: Decimal | None
    min_order_amount: Decimal | None
    repeat: bool
    per_customer_limit: int
    stacks_with_promotions: bool
    valid_from: dt.datetime
    valid_to: dt.datetime | None
    is_active: bool
    created_at: dt.datetime
    created_by: int


class CampaignIssue(RequestModel):
    """Issue to every dealer account of the campaign's unit whose customer is in
    ``segment`` now, or to the listed dealer accounts (one of the two)."""

    segment: str | None = Field(default=None, max_length=32)
    dealer_account_ids: list[Id] = Field(default_factory=list, max_length=1000)


class CampaignIssued(BaseModel):
    campaign_id: int
    issued: list[int]
    already: int


class CustomerBenefitsPublic(BaseModel):
    """A customer's segment, benefits and their origin, coupons and recent order terms."""

    customer: dict[str, Any]
    segment: str | None
    benefits: dict[str, Any] | None
    origin: dict[str, Any] | None
    coupons: list[dict[str, Any]]
    redemptions: list[dict[str, Any]]
    recent_orders: list[dict[str, Any]]
    points: dict[str, Any] | None = None


class OrderBenefitsPublic(BaseModel):
    """The terms an order was placed on and its coupon."""

    order_id: int
    terms: dict[str, Any] | None
    coupon: dict[str, Any] | None


class PointsRuleCreate(RequestModel):
    """A new version of a unit's points rule: ``points_per_unit`` points per currency unit
    paid, rounded ``down`` or ``half_up``, times a segment's multiplier (default 1); a point
    redeems at ``point_value``, on at most ``max_redeem_percent`` % of an order; points expire
    ``expiry_months`` after they were earned."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "currency": "CNY", "points_per_unit": "1", "rounding": "down", "multipliers": {"champions": "2"},
        "point_value": "0.01", "expiry_months": 12, "max_redeem_percent": "50"}]})

    currency: str = Field(min_length=3, max_length=3)
    points_per_unit: Decimal = Field(ge=0, le=1000)
    rounding: Literal["down", "half_up"] = "down"
    multipliers: dict[str, Decimal] = Field(default_factory=dict, max_length=20)
    point_value: Decimal = Field(gt=0, le=MAX_AMOUNT)
    expiry_months: int = Field(ge=1, le=120)
    max_redeem_percent: Decimal = Field(default=Decimal(100), ge=0, le=100)
    note: str | None = Field(default=None, max_length=500)


class PointsRulePublic(BaseModel):
    """A points rule version."""

    business_unit: str
    version: int
    currency: str
    points_per_unit: str
    rounding: str
    multipliers: dict[str, str]
    point_value: str
    expiry_months: int
    max_redeem_percent: str
    note: str | None
    created_at: dt.datetime
    created_by: int


class CustomerPointsPublic(BaseModel):
    """A customer's points: balance, spendable (not past expiry), lots left, movements."""

    customer_id: int
    business_unit: str
    balance: int
    spendable: int
    next_expiry: dict[str, Any] | None
    lots: list[dict[str, Any]]
    movements: list[dict[str, Any]]


class GroupBuyCreate(RequestModel):
    """A group-buy deal (拼团) on one offer: ``group_price`` per unit once ``target`` units
    (``target_kind: quantity``) or buyers (``participants``) have joined before ``deadline``."""

    name: str = Field(min_length=1, max_length=200)
    business_unit: str = Field(min_length=1, max_length=32)
    offer_id: Id
    group_price: Decimal = Field(gt=0, le=MAX_AMOUNT)
    target_kind: Literal["quantity", "participants"] = "quantity"
    target: int = Field(ge=1, le=1_000_000)
    max_per_buyer: int = Field(default=1_000_000, ge=1, le=1_000_000)
    deadline: AwareDatetime


class GroupBuyJoin(RequestModel):
    """Join a deal with ``quantity`` units (reserved now, ordered when the deal fills)."""

    quantity: int = Field(ge=1, le=1_000_000)


class GroupBuyPublic(BaseModel):
    """A deal, its progress and (for staff) its participants."""

    id: int
    business_unit: str
    name: str
    offer_id: int
    sku_id: int
    supplier_id: str
    currency: str
    group_price: str
    target_kind: str
    target: int
    max_per_buyer: int
    joined_quantity: int
    joined_count: int
    deadline: dt.datetime
    status: str
    created_at: dt.datetime
    settled_at: dt.datetime | None
    participants: list[dict[str, Any]]


class GroupBuySettled(BaseModel):
    """What one settle call did (empty lists: nothing left to do) and the deal after it."""

    deal_id: int
    status: str
    ordered: list[int]
    released: list[int]
    deal: GroupBuyPublic
