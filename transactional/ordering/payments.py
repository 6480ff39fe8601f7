"""Payments: one payment intent per order, the provider's signed callback, offline payment.

* :func:`create_intent` — the amount and currency the buyer must pay (the order's payable
  total), with a ``provider_reference`` the payment provider echoes back. One per order:
  asking again returns the same intent.
* :func:`record_event` — the provider's ``payment.succeeded`` / ``payment.failed``
  event (signature checked by the API layer, ``domain/signature.py``; the order's move to
  ``paid`` is the lifecycle's, ``ordering/lifecycle.handle_callback``). Idempotent by the
  provider's event id: the event row is written in the same transaction as its effects,
  and a replay finds it and changes nothing. Effects run under the order's row lock, so
  concurrent deliveries of events, manual payment and cancellation serialise; an intent is
  captured at most once (a second success for it is recorded and ignored). A success
  for an order that is no longer payable (cancelled, rejected, expired) is captured and
  refunded at once.
* :func:`capture_offline` (side effect ``payment.capture`` of ``pay``) — finance marking an
  order paid records an offline capture; after a provider capture it does nothing more.

Full captures only (the callback amount must equal the intent's). Refunds are in
:mod:`transactional.ordering.refunds`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from transactional.accounting import postings
from transactional.core import events
from transactional.core.jsonable import jsonable
from transactional.db.tables.ordering import orders, payment_events, payment_intents, refunds
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.domain.principal import SYSTEM, Principal, Role, not_found
from transactional.domain.status import OrderStatus
from transactional.ordering.queries import load_order_row
from transactional.ordering.refunds import record_refund, refund_json

PROVIDER = "grouplake-pay"  # the (simulated) payment provider of the platform
PAYABLE = (OrderStatus.PLACED.value, OrderStatus.APPROVED.value)
EVENT_TYPES = ("payment.succeeded", "payment.failed")
_INSERT_EVENT = {
    "sqlite": sqlite.insert(payment_events).on_conflict_do_nothing(),
    "postgresql": postgresql.insert(payment_events).on_conflict_do_nothing(),
}


def intent_json(row: Any) -> dict[str, Any]:
    """JSON-ready payment intent."""
    m = row._mapping
    return jsonable({k: m[k] for k in (
        "id", "order_id", "provider", "provider_reference", "amount", "currency", "status",
        "captured_amount", "refunded_amount", "created_at", "updated_at", "succeeded_at")})


def _intent(session: Session, order_id: int, *, lock: bool) -> Any:
    query = select(payment_intents).where(payment_intents.c.order_id == order_id)
    return session.execute(query.with_for_update() if lock else query).first()


def create_intent(session: Session, actor: Principal, order_id: int) -> dict[str, Any]:
    """The order's payment intent, created on first call (buyers, procurement, finance,
    admins who can see the order).

    Raises:
        NotFoundError: order absent or outside scope.
        ConflictError ``not_payable``: the order is not placed / approved (no intent yet).
    """
    actor.require(Role.BUYER, Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)
    order = load_order_row(session, actor, order_id, lock=True)
    existing = _intent(session, order_id, lock=False)
    if existing is not None:
        return intent_json(existing)
    if order.status not in PAYABLE:
        raise ConflictError(f"order {order_id} is {order.status}; only placed or approved "
                            "orders can be paid", code="not_payable",
                            details={"status": order.status})
    now = utcnow()
    session.execute(insert(payment_intents).values(
        order_id=order_id, provider=PROVIDER, provider_reference=f"pi_{uuid.uuid4().hex}",
        amount=order.total_amount, currency=order.currency, status="requires_payment",
        captured_amount=Decimal(0), refunded_amount=Decimal(0), created_at=now,
        updated_at=now, succeeded_at=None))
    intent = intent_json(_intent(session, order_id, lock=False))
    events.emit(session, "payment.intent_created", "payment_intent", intent["id"], intent,
                business_unit=order.business_unit, supplier_id=order.supplier_id,
                json_ready=True)
    return intent


def get_payments(session: Session, actor: Principal, order_id: int) -> dict[str, Any]:
    """The order's payment intent (or None) and its refunds."""
    load_order_row(session, actor, order_id, lock=False)
    intent = _intent(session, order_id, lock=False)
    rows = session.execute(select(refunds).where(refunds.c.order_id == order_id)
                           .order_by(refunds.c.id))
    return {"order_id": order_id, "intent": intent_json(intent) if intent else None,
            "refunds": [refund_json(r) for r in rows]}


def _capture(session: Session, actor: Principal, order: Any, intent: Any, amount: Decimal,
             now: dt.datetime, provider: str | None = None) -> dict[str, Any]:
    values = {"status": "succeeded", "captured_amount": amount, "succeeded_at": now,
              "updated_at": now}
    if provider:
        values["provider"] = provider
    session.execute(update(payment_intents).where(payment_intents.c.id == intent.id)
                    .values(**values))
    entry = postings.payment_captured(session, actor, order, amount, order.currency)
    fresh = intent_json(session.execute(select(payment_intents).where(
        payment_intents.c.id == intent.id)).one())
    events.emit(session, "payment.captured", "payment_intent", intent.id,
                {**fresh, "journal_entry_id": entry}, business_unit=order.business_unit,
                supplier_id=order.supplier_id)
    return fresh


def capture_offline(session: Session, actor: Principal, order: Any, action: str,
                    reason: str | None, now: dt.datetime) -> dict[str, Any]:
    """Side effect ``payment.capture`` of ``pay``: record an offline payment unless one was
    captured."""
    intent = _intent(session, order.id, lock=True)
    if intent is not None and intent.status == "succeeded":
        return {"payment": intent.provider, "intent_id": intent.id}
    if intent is None:
        session.execute(insert(payment_intents).values(
            order_id=order.id, provider="offline", provider_reference=f"offline_{order.id}",
            amount=order.total_amount, currency=order.currency, status="requires_payment",
            captured_amount=Decimal(0), refunded_amount=Decimal(0), created_at=now,
            updated_at=now, succeeded_at=None))
        intent = _intent(session, order.id, lock=True)
    captured = _capture(session, actor, order, intent, order.total_amount, now, "offline")
    return {"payment": "offline", "intent_id": captured["id"], "amount": captured["amount"]}


@dataclass(frozen=True)
class ProviderEvent:
    """A callback from the payment provider."""

    event_id: str
    event_type: str
    payment_reference: str
    amount: Decimal
    currency: str


def parse_event(body: bytes) -> ProviderEvent:
    """Parse a callback body (``{"event_id", "type", "payment_reference", "amount",
    "currency"}``).

    Raises:
        ValidationFailedError: not JSON, or a field missing / malformed.
    """
    try:
        data = json.loads(body)
        event = ProviderEvent(str(data["event_id"]), str(data["type"]),
                              str(data["payment_reference"]), to_decimal(str(data["amount"])),
                              str(data["currency"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailedError(f"malformed provider event: {exc}",
                                    code="invalid_provider_event") from exc
    if not 0 < len(event.event_id) <= 128 or event.event_type not in EVENT_TYPES:
        raise ValidationFailedError("unknown provider event type or bad event id",
                                    code="invalid_provider_event")
    return event


def record_event(session: Session, event: ProviderEvent, body_sha256: str,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """Record one provider event exactly once and capture (see the module doc); the caller,
    the lifecycle, moves a ``captured`` order to ``paid`` in the same transaction.

    Returns:
        ``{"event_id", "outcome", "duplicate", "order_id"}``; outcomes: ``captured``,
        ``captured_and_refunded``, ``already_captured``, ``failed``, ``ignored``.

    Raises:
        NotFoundError: no intent with that reference.
        ValidationFailedError ``amount_mismatch``: amount or currency differ from the intent.
    """
    now = now or utcnow()
    found = session.execute(select(payment_intents.c.order_id).where(
        payment_intents.c.provider_reference == event.payment_reference)).first()
    if found is None:
        raise not_found("payment intent", event.payment_reference)
    order = session.execute(select(orders).where(orders.c.id == found.order_id)
                            .with_for_update()).one()
    intent = _intent(session, order.id, lock=True)
    stored = session.execute(select(payment_events).where(
        payment_events.c.provider_event_id == event.event_id)).first()
    if stored is not None:
        return {"event_id": event.event_id, "outcome": stored.outcome, "duplicate": True,
                "order_id": order.id}
    if event.event_type == "payment.succeeded" and (
            event.amount != intent.amount or event.currency != intent.currency):
        raise ValidationFailedError(
            "the event's amount or currency differs from the payment intent's",
            code="amount_mismatch",
            details={"expected": {"amount": str(intent.amount), "currency": intent.currency}})
    if event.event_type == "payment.failed":
        outcome = "ignored" if intent.status == "succeeded" else "failed"
    elif intent.status == "succeeded":
        outcome = "already_captured"
    else:
        outcome = "captured" if order.status in PAYABLE else "captured_and_refunded"
    inserted = session.execute(_INSERT_EVENT[session.connection().dialect.name].values(
        provider_event_id=event.event_id, payment_intent_id=intent.id,
        event_type=event.event_type, amount=event.amount, currency=event.currency,
        outcome=outcome, body_sha256=body_sha256, received_at=now,
    ).returning(payment_events.c.provider_event_id)).first()
    if inserted is None:  # a concurrent delivery of the same event won
        stored = session.execute(select(payment_events).where(
            payment_events.c.provider_event_id == event.event_id)).one()
        return {"event_id": event.event_id, "outcome": stored.outcome, "duplicate": True,
                "order_id": order.id}
    if outcome in ("captured", "captured_and_refunded"):
        _capture(session, SYSTEM, order, intent, event.amount, now)
    if outcome == "captured_and_refunded":
        record_refund(session, SYSTEM, order, _intent(session, order.id, lock=True),
                      event.amount, "late_payment",
                      f"order {order.status} before the payment arrived", now,
                      before_delivery=True)
    elif outcome == "failed":
        events.emit(session, "payment.failed", "payment_intent", intent.id,
                    {"intent_id": intent.id, "order_id": order.id, "event_id": event.event_id},
                    business_unit=order.business_unit, supplier_id=order.supplier_id)
    return {"event_id": event.event_id, "outcome": outcome, "duplicate": False,
            "order_id": order.id}
