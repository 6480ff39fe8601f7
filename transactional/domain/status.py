"""The order lifecycle as data: states, actions, who may act, and which event each emits.

``placed → paid → shipped → delivered``, or ``cancelled`` (stock released) from ``placed``
or ``paid``. The follow-up commerce work (approval, settlement) extends
:data:`TRANSITIONS` with rows such as ``("approve", PENDING_APPROVAL → APPROVED)`` instead of
editing code paths: services look transitions up here, never hard-code them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from transactional.domain.errors import ForbiddenError, IllegalTransitionError
from transactional.domain.principal import Role


class OrderStatus(StrEnum):
    """Every state an order can be in."""

    PLACED = "placed"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class StockEffect(StrEnum):
    """What a transition does to the order's reserved stock."""

    NONE = "none"
    RELEASE = "release"  # reserved -> available again (cancel)
    CONSUME = "consume"  # reserved -> gone from the warehouse (ship)


@dataclass(frozen=True)
class Transition:
    """One edge of the lifecycle."""

    action: str
    sources: frozenset[OrderStatus]
    target: OrderStatus
    roles: frozenset[Role]
    event_type: str
    stock: StockEffect = StockEffect.NONE
    timestamp_column: str | None = None


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "pay", frozenset({OrderStatus.PLACED}), OrderStatus.PAID,
            frozenset({Role.FINANCE, Role.ADMIN}), "order.paid", timestamp_column="paid_at",
        ),
        Transition(
            "ship", frozenset({OrderStatus.PAID}), OrderStatus.SHIPPED,
            frozenset({Role.SUPPLIER, Role.ADMIN}), "order.shipped", StockEffect.CONSUME,
            "shipped_at",
        ),
        Transition(
            "deliver", frozenset({OrderStatus.SHIPPED}), OrderStatus.DELIVERED,
            frozenset({Role.BUYER, Role.PROCUREMENT, Role.ADMIN}), "order.delivered",
            timestamp_column="delivered_at",
        ),
        Transition(
            "cancel", frozenset({OrderStatus.PLACED, OrderStatus.PAID}), OrderStatus.CANCELLED,
            frozenset({Role.BUYER, Role.PROCUREMENT, Role.ADMIN}), "order.cancelled",
            StockEffect.RELEASE, "cancelled_at",
        ),
    )
}

#: Status of a freshly placed order and the event it emits.
INITIAL_STATUS = OrderStatus.PLACED
PLACED_EVENT = "order.placed"


def transition_for(action: str, current: OrderStatus | str, role: Role) -> Transition:
    """Look up the transition ``action`` from ``current`` for a caller of ``role``.

    Raises:
        IllegalTransitionError: unknown action, or not allowed from ``current`` (HTTP 409).
        ForbiddenError: the role may never perform ``action`` (HTTP 403).

    Example:
        >>> transition_for("pay", "placed", Role.FINANCE).target
        <OrderStatus.PAID: 'paid'>
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise IllegalTransitionError(f"unknown order action {action!r}")
    if role not in transition.roles:
        allowed = sorted(r.value for r in transition.roles)
        raise ForbiddenError(
            f"role {role.value!r} may not {action} orders; allowed: {', '.join(allowed)}",
            details={"allowed_roles": allowed},
        )
    status = OrderStatus(current)
    if status not in transition.sources:
        allowed_from = sorted(s.value for s in transition.sources)
        raise IllegalTransitionError(
            f"cannot {action} an order that is {status.value}; "
            f"allowed from: {', '.join(allowed_from)}",
            details={"status": status.value, "action": action, "allowed_from": allowed_from},
        )
    return transition
