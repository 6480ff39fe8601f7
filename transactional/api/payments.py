"""Payments: intents and refunds under ``/orders/{id}``, and the provider's callback."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Header, Request, status
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser
from transactional.api.idempotent import OptionalIdempotencyKey, write_once
from transactional.domain.signature import HEADER, verify
from transactional.ordering import payments, refunds
from transactional.ordering.lifecycle import handle_callback
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.payments import (
    OrderPaymentsPublic,
    PaymentIntentPublic,
    ProviderEventPublic,
    RefundCreate,
    RefundPublic,
)

orders = APIRouter(prefix="/orders", tags=["payments"], responses=ERRORS)
provider = APIRouter(prefix="/payments", tags=["payments"])


@orders.post("/{order_id}/payment-intent", responses={409: CONFLICT})
def create_payment_intent(order_id: Id, context: ContextDep,
                          user: CurrentUser) -> PaymentIntentPublic:
    """The order's payment intent (created on first call; the same one afterwards).

    Pay ``amount`` ``currency`` at the provider quoting ``provider_reference``; the
    provider's signed callback marks the order paid."""
    return PaymentIntentPublic(**context.db.run_write(
        lambda s: payments.create_intent(s, user, order_id)))


@orders.get("/{order_id}/payments")
def get_payments(order_id: Id, context: ContextDep, user: CurrentUser) -> OrderPaymentsPublic:
    """The order's payment intent and refunds."""
    with context.db.read() as session:
        return OrderPaymentsPublic(**payments.get_payments(session, user, order_id))


@orders.post("/{order_id}/refunds", status_code=status.HTTP_201_CREATED,
             responses={409: CONFLICT})
def refund_order(order_id: Id, body: RefundCreate, context: ContextDep, user: CurrentUser,
                 idempotency_key: OptionalIdempotencyKey = None) -> RefundPublic:
    """Refund part or all of a shipped, delivered or settled order's payment (finance,
    admins). Never more than captured; recovered from the supplier on its next statement;
    the dealer's rebate on the order is reversed in proportion."""
    def action(session: Session) -> tuple[dict, str]:
        refund = refunds.refund_order(session, user, order_id, body.amount, body.reason)
        return refund, str(refund["id"])

    return RefundPublic(**write_once(
        context, user, idempotency_key, "POST", f"/api/v1/orders/{order_id}/refunds",
        body.model_dump(mode="json"), "refund", action))


@provider.post("/callback", responses={**ERRORS, 401: ERRORS[401]})
async def provider_callback(
    request: Request, context: ContextDep,
    signature: str | None = Header(default=None, alias=HEADER,
                                   description="t=<unix seconds>,v1=<hex HMAC-SHA256>"),
) -> ProviderEventPublic:
    """The payment provider's event (``payment.succeeded`` / ``payment.failed``).

    Authenticated by ``X-Provider-Signature``: HMAC-SHA256 with the shared secret over
    ``"<t>." + raw body``, ``t`` within the replay window; otherwise **401**
    ``bad_signature``. Idempotent by ``event_id``: a replay answers 200 with
    ``duplicate: true`` and changes nothing."""
    body = await request.body()
    verify(context.policy.provider_secret, signature, body,
           tolerance_s=context.policy.callback_tolerance_s)
    event = payments.parse_event(body)
    digest = hashlib.sha256(body).hexdigest()
    result = await run_in_threadpool(
        context.db.run_write, lambda s: handle_callback(s, event, digest))
    return ProviderEventPublic(**result)
