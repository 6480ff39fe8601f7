"""The order lifecycle as data: states, actions, who may act, and which event each emits.

``placed → paid → shipped → delivered → settled``. An order above its business unit's
approval limit starts as ``pending_approval`` instead of ``placed`` and goes
``→ approved → paid …``, or ``→ rejected`` / ``→ expired`` (stock released). ``cancelled``
(stock released, a paid order refunded in full) from ``placed``, ``pending_approval``,
``approved`` or ``paid``. An order the risk guard holds starts as ``pending_review``:
released (``→ placed``, or ``→ pending_approval`` when it also needs an approval) or refused
(``→ rejected``, stock released) by procurement or finance (``ordering/reviews.py``).
Services look transitions up here, never hard-code them; what a transition does besides the
status and the stock (ledger postings, rebate accruals,
refunds) is named in its ``hooks`` and run by ``ordering/lifecycle.py``.
Transitions with ``route=False`` are run by the platform itself (expiry job, settlement
run), never through ``/orders/{id}/<action>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from transactional.domain.errors import ForbiddenError, IllegalTransitionError
from transactional.domain.principal import Role


class OrderStatus(StrEnum):
    """Every state an order can be in."""

    PENDING_APPROVAL = "pending_approval"
    PENDING_REVIEW = "pending_review"
    PLACED = "placed"
    APPROVED = "approved"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    SETTLED = "settled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"


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
    hooks: tuple[str, ...] = ()  # side effects, by name (ordering/lifecycle.EFFECTS)
    route: bool = True  # exposed as POST /orders/{id}/<action>
    reason_required: bool = False


_S = OrderStatus
_REVIEWERS = frozenset({Role.PROCUREMENT, Role.FINANCE, Role.ADMIN})
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "approve", frozenset({_S.PENDING_APPROVAL}), _S.APPROVED,
            frozenset({Role.PROCUREMENT, Role.ADMIN}), "order.approved",
            timestamp_column="approved_at", hooks=("approval.decide",),
        ),
        Transition(
            "reject", frozenset({_S.PENDING_APPROVAL}), _S.REJECTED,
            frozenset({Role.PROCUREMENT, Role.ADMIN}), "order.rejected", StockEffect.RELEASE,
            "rejected_at", hooks=("approval.decide", "coupon.reverse", "points.reverse", "contract.release"), reason_required=True,
        ),
        Transition(
            "expire", frozenset({_S.PENDING_APPROVAL}), _S.EXPIRED,
            frozenset({Role.ADMIN}), "order.approval_expired", StockEffect.RELEASE,
            "expired_at", hooks=("approval.decide", "coupon.reverse", "points.reverse", "contract.release"), route=False,
        ),
        Transition(
            "pay", frozenset({_S.PLACED, _S.APPROVED}), _S.PAID,
            frozenset({Role.FINANCE, Role.ADMIN}), "order.paid", timestamp_column="paid_at",
            hooks=("payment.capture", "points.earn"),
        ),
        Transition(
            "ship", frozenset({_S.PAID}), _S.SHIPPED,
            frozenset({Role.SUPPLIER, Role.ADMIN}), "order.shipped", StockEffect.CONSUME,
            "shipped_at",
        ),
        Transition(
            "deliver", frozenset({_S.SHIPPED}), _S.DELIVERED,
            frozenset({Role.BUYER, Role.PROCUREMENT, Role.ADMIN}), "order.delivered",
            timestamp_column="delivered_at", hooks=("ledger.delivery", "rebates.accrue"),
        ),
        Transition(
            "settle", frozenset({_S.DELIVERED}), _S.SETTLED,
            frozenset({Role.FINANCE, Role.ADMIN}), "order.settled",
            timestamp_column="settled_at", route=False,
        ),
        Transition(
            "cancel", frozenset({_S.PLACED, _S.PENDING_APPROVAL, _S.PENDING_REVIEW, _S.APPROVED, _S.PAID}),
            _S.CANCELLED, frozenset({Role.BUYER, Role.PROCUREMENT, Role.ADMIN}),
            "order.cancelled", StockEffect.RELEASE, "cancelled_at",
            hooks=("approval.decide", "payment.refund_on_cancel", "coupon.reverse",
                   "points.reverse", "contract.release"),
        ),
        # The risk review (ordering/reviews.py; four eyes, outcome recorded): an order
        # held by the risk guard is released (to the approval it still needs, if any) or refused.
        Transition(
            "release", frozenset({_S.PENDING_REVIEW}), _S.PLACED, _REVIEWERS, "order.released",
            route=False,
        ),
        Transition(
            "release_to_approval", frozenset({_S.PENDING_REVIEW}), _S.PENDING_APPROVAL, _REVIEWERS,
            "order.released", route=False,
        ),
        Transition(
            "refuse", frozenset({_S.PENDING_REVIEW}), _S.REJECTED, _REVIEWERS, "order.refused",
            StockEffect.RELEASE, "rejected_at", hooks=("approval.decide", "coupon.reverse", "points.reverse", "contract.release"), route=False,
            reason_required=True,
        ),
    )
}

#: Status of a freshly placed order and the event it emits.
INITIAL_STATUS = OrderStatus.PLACED
#: Status of a freshly placed order above its unit's approval limit.
APPROVAL_STATUS = OrderStatus.PENDING_APPROVAL
#: Status of a freshly placed order the risk guard holds for review (``transactional/risk``).
REVIEW_STATUS = OrderStatus.PENDING_REVIEW
PLACED_EVENT = "order.placed"
#: Statuses in which an order holds reserved stock.
RESERVING = frozenset({_S.PLACED, _S.PENDING_APPROVAL, _S.PENDING_REVIEW, _S.APPROVED, _S.PAID})


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
