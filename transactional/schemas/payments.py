"""Payment intent, provider callback and refund bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import RequestModel


class PaymentIntentPublic(BaseModel):
    """What to pay for an order; give ``provider_reference`` to the payment provider."""

    id: int
    order_id: int
    provider: str
    provider_reference: str
    amount: Decimal
    currency: str
    status: str  # requires_payment | succeeded | failed | canceled (the order was cancelled unpaid)
    captured_amount: Decimal
    refunded_amount: Decimal
    created_at: dt.datetime
    updated_at: dt.datetime
    succeeded_at: dt.datetime | None


class RefundCreate(RequestModel):
    """Money back on a shipped, delivered or settled order (partial or full)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"amount": "1200.00", "reason": "two pallets damaged in transit"}]})

    amount: Decimal = Field(gt=0, max_digits=18, decimal_places=4)
    reason: str = Field(min_length=1, max_length=500)


class RefundPublic(BaseModel):
    id: int
    order_id: int
    payment_intent_id: int
    kind: str  # refund | cancellation | late_payment
    amount: Decimal
    currency: str
    reason: str | None
    created_at: dt.datetime
    journal_entry_id: int
    statement_id: int | None
    remaining_refundable: Decimal | None = None


class OrderPaymentsPublic(BaseModel):
    order_id: int
    intent: PaymentIntentPublic | None
    refunds: list[RefundPublic]


class ProviderEventPublic(BaseModel):
    """The answer to the provider: 200 for new and replayed events alike."""

    event_id: str
    outcome: str  # captured | captured_and_refunded | already_captured | failed | ignored
    duplicate: bool
    order_id: int
