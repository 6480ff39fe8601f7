"""Refunds: partial or full, never more than was captured, each with its ledger entry.

* :func:`refund_order` (finance, admins) — money back on a shipped, delivered or settled
  order: a price concession or a return. The platform recovers it from the supplier on its
  next statement (``refund_recovery``), and the dealer's rebate on the order and the loyalty
  points it earned are reversed in proportion. Any number of partial refunds up to the captured amount.
* :func:`refund_on_cancel` (side effect of ``cancel``) — a cancelled paid order is
  refunded in full from the buyer's deposit (the goods never left).

Both lock the order row, then the payment intent row, so concurrent refunds of one order
serialise and the refundable remainder is read under the lock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from transactional.accounting import postings
from transactional.benefits import points
from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.db.tables.ordering import payment_intents, refunds
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal, Role
from transactional.domain.status import OrderStatus
from transactional.ordering.queries import load_order_row
from transactional.rebates.accruals import reverse_for_refunds

REFUNDABLE = (OrderStatus.SHIPPED.value, OrderStatus.DELIVERED.value,
              OrderStatus.SETTLED.value)


def refund_json(row: Any) -> dict[str, Any]:
    """JSON-ready refund."""
    m = row._mapping
    return jsonable({k: m[k] for k in (
        "id", "order_id", "payment_intent_id", "kind", "amount", "currency", "reason",
        "created_at", "journal_entry_id", "statement_id")})


def record_refund(session: Session, actor: Principal, order: Any, intent: Any,
                  amount: Decimal, kind: str, reason: str | None, now: dt.datetime, *,
                  before_delivery: bool) -> dict[str, Any]:
    """Write a refund (intent row already locked): ledger, refund row, intent total, event."""
    entry = postings.refund_paid(session, actor, order, amount, order.currency,
                                 before_delivery=before_delivery)
    refund_id = session.execute(insert(refunds).values(
        order_id=order.id, payment_intent_id=intent.id, kind=kind, amount=amount,
        currency=order.currency, reason=reason, business_unit=order.business_unit,
        supplier_id=order.supplier_id, created_at=now, actor_user_id=actor.user_id,
        journal_entry_id=entry, statement_id=None).returning(refunds.c.id)).scalar_one()
    session.execute(update(payment_intents).where(payment_intents.c.id == intent.id).values(
        refunded_amount=intent.refunded_amount + amount, updated_at=now))
    refund = refund_json(session.execute(select(refunds).where(refunds.c.id == refund_id)).one())
    remaining = intent.captured_amount - intent.refunded_amount - amount
    events.emit(session, "payment.refunded", "refund", refund_id,
                {**refund, "remaining_refundable": str(to_decimal(remaining))},
                business_unit=order.business_unit, supplier_id=order.supplier_id,
                json_ready=True)
    return {**refund, "remaining_refundable": str(to_decimal(remaining))}


def refund_order(session: Session, actor: Principal, order_id: int, amount: Decimal | str,
                 reason: str | None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Refund part or all of an order's captured payment.

    Raises:
        ForbiddenError: not finance or an admin (403).
        NotFoundError: order absent or outside scope.
        ConflictError ``not_refundable``: not shipped/delivered/settled, or nothing captured.
        ValidationFailedError ``refund_exceeds_payment``: more than the captured remainder.
    """
    actor.require(Role.FINANCE, Role.ADMIN)
    try:
        value = to_decimal(amount)
    except ValueError as exc:
        raise ValidationFailedError(str(exc)) from exc
    if value <= 0:
        raise ValidationFailedError("a refund is a positive amount")
    now = now or utcnow()
    order = load_order_row(session, actor, order_id, lock=True)
    if order.status not in REFUNDABLE:
        raise ConflictError(
            f"order {order_id} is {order.status}: refunds are for shipped, delivered or "
            "settled orders (cancel a paid order instead)", code="not_refundable",
            details={"status": order.status})
    intent = session.execute(select(payment_intents).where(
        payment_intents.c.order_id == order_id).with_for_update()).first()
    if intent is None or intent.status != "succeeded":
        raise ConflictError(f"order {order_id} has no captured payment", code="not_refundable")
    remaining = intent.captured_amount - intent.refunded_amount
    if value > remaining:
        raise ValidationFailedError(
            f"refund {value} exceeds the refundable remainder {remaining}",
            code="refund_exceeds_payment", details={"refundable": str(remaining)})
    refund = record_refund(session, actor, order, intent, value, "refund", reason, now,
                           before_delivery=False)
    audit.record(session, actor, "order.refund", "order", order_id,
                 business_unit=order.business_unit,
                 details={"refund_id": refund["id"], "amount": value, "reason": reason})
    if order.status != OrderStatus.SHIPPED.value:
        reverse_for_refunds(session, actor, order, intent.refunded_amount + value, now)
    clawed = points.claw_back_refund(session, actor, order, refund["id"], value, now)  # in proportion
    return refund if clawed is None else {**refund, "points": clawed}


def refund_on_cancel(session: Session, actor: Principal, order: Any, action: str,
                     reason: str | None, now: dt.datetime) -> dict[str, Any] | None:
    """Side effect ``payment.refund_on_cancel``: refund the rest of a captured payment; an
    intent still waiting for payment is voided (``canceled``), so the buyer is not asked to
    pay a cancelled order (a payment that arrives anyway is captured and refunded)."""
    intent = session.execute(select(payment_intents).where(
        payment_intents.c.order_id == order.id).with_for_update()).first()
    if intent is not None and intent.status in ("requires_payment", "failed"):
        session.execute(update(payment_intents).where(payment_intents.c.id == intent.id)
                        .values(status="canceled", updated_at=now))
        return {"payment_intent_id": intent.id, "payment_intent_status": "canceled"}
    if intent is None or intent.status != "succeeded":
        return None
    remaining = intent.captured_amount - intent.refunded_amount
    if remaining <= 0:
        return None
    refund = record_refund(session, actor, order, intent, remaining, "cancellation",
                           reason or "order cancelled", now, before_delivery=True)
    return {"refund_id": refund["id"], "amount": refund["amount"]}
