"""The order lifecycle's one owner: every status change of an order happens here.

:func:`transition_order` applies one row of the status machine (``domain/status.py``):
lock the order row, check role, scope and state, apply the stock effect (release on cancel,
consume on ship), set the status, run the transition's side effects, audit the change and
emit the event. The side effects are named in ``TRANSITIONS`` (``hooks``) and mapped here to
the functions that perform them, imported explicitly; they run inside the transition's
transaction, after the status and stock change, with the order row as it was *before* it,
and what they return goes into the outbox event under ``effects``:

==========================  ==================================================
``approval.decide``         close the pending approval (approve / reject / …)
``payment.capture``         record the payment (an offline one, for ``pay``)
``payment.refund_on_cancel`` refund in full what a cancelled order had paid
``ledger.delivery``         post the delivery (deposit → goods to settle)
``rebates.accrue``          accrue the dealer's tiered rebates on the order
``coupon.reverse``          give back the order's coupon use, reverse its receivable adjustment
``points.earn``             the customer earns loyalty points on what it pays
``points.reverse``          give back redeemed points, take back what a paid order earned
``contract.release``        give a call-off's quantities back to its framework contract
==========================  ==================================================

Those functions never change an order's status themselves. What drives the lifecycle from
outside a request — the payment provider's callback (:func:`handle_callback`), the expiry
of undecided approvals (:func:`expire_pending`), the settlement run
(``settlement/run.py``) — calls :func:`transition_order`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from transactional.accounting import postings
from transactional.benefits import points, redemption
from transactional.contracts import calloffs
from transactional.core import audit, events
from transactional.core.policy import Action, require_checker
from transactional.db.tables.ordering import orders
from transactional.db.types import utcnow
from transactional.domain.errors import IllegalTransitionError
from transactional.domain.principal import SYSTEM, Principal
from transactional.domain.status import TRANSITIONS, transition_for
from transactional.ordering import approvals, payments, refunds, reservation
from transactional.ordering.queries import load_order_row, snapshots
from transactional.rebates import accruals

#: A side effect: ``(session, actor, order row before the change, action, reason, now)`` →
#: JSON-ready facts for the event, or None when it had nothing to do.
Effect = Callable[[Session, Principal, Any, str, "str | None", dt.datetime], Any]


def _post_delivery(session: Session, actor: Principal, order: Any, action: str,
                   reason: str | None, now: dt.datetime) -> dict[str, Any]:
    return {"journal_entry_id": postings.delivered(session, actor, order)}


#: Every side effect a transition may name, by its name in ``TRANSITIONS``.
EFFECTS: dict[str, Effect] = {
    "approval.decide": approvals.close_pending,
    "payment.capture": payments.capture_offline,
    "payment.refund_on_cancel": refunds.refund_on_cancel,
    "ledger.delivery": _post_delivery,
    "rebates.accrue": accruals.accrue,
    "coupon.reverse": redemption.reverse_on_cancel,
    "points.earn": points.earn_on_pay,
    "points.reverse": points.reverse_on_cancel,
    "contract.release": calloffs.release_on_cancel,
}

#: Order actions that check someone else's order (``core/policy.py``).
CHECKED: dict[str, Action] = {"approve": Action.ORDER_APPROVE, "reject": Action.ORDER_REJECT}

_UNKNOWN = sorted({h for t in TRANSITIONS.values() for h in t.hooks} - set(EFFECTS))
if _UNKNOWN:  # a transition naming an effect nobody performs is a programming error
    raise ImportError(f"transitions name side effects without a function: {_UNKNOWN}")


def transition_order(
    session: Session, actor: Principal, order_id: int, action: str, *, reason: str | None = None,
    extra: dict | None = None,
) -> dict:
    """Apply ``action`` (approve, reject, pay, ship, deliver, cancel …) to an order.

    Args:
        extra: further column values to set with the status (e.g. ``statement_id``).

    Returns:
        The order's snapshot after the change.

    Raises:
        ForbiddenError: the role may never do ``action``, or (``separation_of_duties``) the
            caller placed the order it would approve or reject (403).
        NotFoundError: the order is absent or outside the caller's scope (404).
        ValidationFailedError ``reason_required``: a rejection without a reason (422).
        IllegalTransitionError: not allowed from the current status (409).

    Example:
        >>> transition_order(session, finance, 17, "pay")["status"]  # doctest: +SKIP
        'paid'
    """
    spec = TRANSITIONS.get(action)
    if spec is not None and actor.role not in spec.roles:
        transition_for(action, "placed", actor.role)  # raises the ForbiddenError
    row = load_order_row(session, actor, order_id, lock=True)
    if action in CHECKED:  # maker ≠ checker: never decide an order you placed
        require_checker(actor, CHECKED[action], row.buyer_user_id)
    spec = transition_for(action, row.status, actor.role)
    if spec.reason_required:
        approvals.require_reason(action, reason)
    released = reservation.apply_effect(session, order_id, spec.stock)
    now = utcnow()
    values = {"status": spec.target.value, "updated_at": now, **(extra or {})}
    if spec.timestamp_column:
        values[spec.timestamp_column] = now
    session.execute(update(orders).where(orders.c.id == order_id).values(**values))
    effects = {}
    for name in spec.hooks:
        result = EFFECTS[name](session, actor, row, action, reason, now)
        if result is not None:
            effects[name] = result
    fresh = session.execute(select(orders).where(orders.c.id == order_id)).one()
    snapshot = snapshots(session, [fresh])[0]
    details = {"from": row.status, "to": spec.target.value, "reason": reason,
               "stock": spec.stock.value}
    audit.record(session, actor, f"order.{action}", "order", order_id,
                 business_unit=row.business_unit, details=details)
    events.emit(session, spec.event_type, "order", order_id,
                {**snapshot, "transition": {**details, "stock_rows": released,
                                            "effects": effects}},
                business_unit=row.business_unit, supplier_id=row.supplier_id)
    return snapshot


def handle_callback(session: Session, event: payments.ProviderEvent, body_sha256: str,
                    now: dt.datetime | None = None) -> dict[str, Any]:
    """Apply one payment provider event exactly once; a capture makes the order ``paid``.

    The event itself (dedup by provider event id, amount check, capture, the refund of a
    payment that arrived too late) is :func:`transactional.ordering.payments.record_event`'s.

    Returns:
        ``{"event_id", "outcome", "duplicate", "order_id"}`` (see ``record_event``).
    """
    result = payments.record_event(session, event, body_sha256, now)
    if result["outcome"] == "captured" and not result["duplicate"]:
        transition_order(session, SYSTEM, result["order_id"], "pay",
                         reason=f"provider {event.event_id}")
    return result


def expire_pending(db: Any, now: dt.datetime | None = None) -> list[int]:
    """Expire every overdue pending approval, one order per transaction (releases stock).

    Args:
        db: a :class:`transactional.db.database.Database`.
        now: the time to judge expiry by (default: now).

    Returns:
        Ids of the orders expired.

    Example:
        >>> expire_pending(Database.from_settings(get_settings()))  # doctest: +SKIP
        [17, 18]
    """
    when = now or utcnow()
    expired: list[int] = []
    while True:
        with db.read() as session:
            batch = approvals.due_for_expiry(session, when)
        if not batch:
            return expired
        progressed = False
        for order_id in batch:
            try:
                db.run_write(lambda s, i=order_id: transition_order(
                    s, SYSTEM, i, "expire", reason="approval not decided in time"))
            except IllegalTransitionError:
                continue  # decided meanwhile
            expired.append(order_id)
            progressed = True
        if not progressed:
            return expired
