"""Customer segments (RFM) and lifetime value, as published in gold (column docs in the dbt YAML)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field


class CustomerRfmPublic(BaseModel):
    """One customer's RFM in one scope (``gold.customer_rfm``)."""

    scope: str = Field(description="Business unit code, or GROUP (group-wide)")
    scope_type: str
    customer_id: str
    customer_name: str | None = None
    customer_type: str
    customer_tier: str | None = None
    as_of_date: dt.date
    first_order_date: dt.date
    last_order_date: dt.date
    recency_days: int
    frequency: int
    monetary_value: Decimal
    average_order_value: Decimal
    currency: str
    r_score: int
    f_score: int
    m_score: int
    fm_score: int
    rfm_cell: str | None = None
    segment: str
    customers_in_scope: int | None = None


class CustomerLtvPublic(BaseModel):
    """One customer's lifetime value in one scope (``gold.customer_ltv``)."""

    scope: str
    scope_type: str
    customer_id: str
    customer_name: str | None = None
    customer_type: str | None = None
    as_of_date: dt.date
    fitted_on: str
    repeat_purchase_days: int
    repeat_recency_days: int
    customer_age_days: int
    average_repeat_spend: Decimal
    p_alive: float
    expected_purchases: float
    expected_avg_spend: Decimal
    clv: Decimal
    currency: str
    horizon_months: int | None = None
    discount_rate_monthly: float | None = None
    model: str
    fallback_used: bool


class SegmentSummaryPublic(BaseModel):
    """Customers and spend of one segment in one scope."""

    scope: str
    segment: str
    customers: int
    monetary_value: Decimal
    currency: str


class CustomerPublic(BaseModel):
    """A customer's RFM and LTV in every scope the caller may see."""

    customer_id: str
    rfm: list[CustomerRfmPublic]
    ltv: list[CustomerLtvPublic]
