"""One order's rating: given once by the buyer who placed it, after delivery; changeable
for ``CommercePolicy.rating_edit_window`` after it was given; read by that buyer and by the
unit's procurement and admins (never by the supplier, which sees only its aggregate:
``feedback/summary.py``).

Rules (each refusal names its reason):

* only the ``buyer`` role rates (others 403), and only an order it placed (another one is
  404, as if absent: ``ordering/queries.scope_condition``);
* the order must be ``delivered`` or ``settled`` (409 ``not_delivered``);
* once per order: a second rating is 409 ``already_rated`` (the order row is locked first,
  and the order id is the table's key, so two concurrent first ratings cannot both win);
* a change after ``editable_until`` is 409 ``rating_locked``.

Each rating and change is audited and emits ``order.rated`` / ``order.rating_changed``
(payload: the order's supplier, unit, delivery date and the three scores with the rating's
version; not the buyer and not the comment: the lake needs neither).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from transactional.core import audit, events
from transactional.core.policy import CommercePolicy
from transactional.db.tables.feedback import order_ratings
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError
from transactional.domain.principal import Principal, Role, not_found
from transactional.domain.status import OrderStatus
from transactional.ordering.queries import load_order_row

RATED_EVENT = "order.rated"
CHANGED_EVENT = "order.rating_changed"
#: Statuses in which the goods have arrived.
RATEABLE = frozenset({OrderStatus.DELIVERED.value, OrderStatus.SETTLED.value})
#: Roles that may read one order's rating (within their order scope).
READERS = (Role.BUYER, Role.PROCUREMENT, Role.ADMIN)
SCORES = ("delivery_score", "quality_score", "service_score")


@dataclass(frozen=True)
class RatingInput:
    """Scores 1-5 and an optional comment; ``None`` in a change keeps the current value
    (``clear_comment`` removes the comment)."""

    delivery_score: int | None = None
    quality_score: int | None = None
    service_score: int | None = None
    comment: str | None = None
    clear_comment: bool = False


def rating_json(row: Any) -> dict[str, Any]:
    """The rating as its buyer and the unit's staff read it."""
    return {
        "order_id": row.order_id, "supplier_id": row.supplier_id,
        "business_unit": row.business_unit,
        **{name: getattr(row, name) for name in SCORES},
        "comment": row.comment, "version": row.version, "rated_at": row.rated_at,
        "updated_at": row.updated_at, "editable_until": row.editable_until,
    }


def _current(session: Session, order_id: int, *, lock: bool = False) -> Any:
    query = select(order_ratings).where(order_ratings.c.order_id == order_id)
    return session.execute(query.with_for_update() if lock else query).first()


def _emit(session: Session, event_type: str, row: Any, delivered_at: dt.datetime | None) -> None:
    events.emit(session, event_type, "order", row.order_id, {
        "order_id": row.order_id, "supplier_id": row.supplier_id,
        "business_unit": row.business_unit, "delivered_at": delivered_at,
        **{name: getattr(row, name) for name in SCORES},
        "rating_version": row.version, "rated_at": row.rated_at, "updated_at": row.updated_at,
    }, business_unit=row.business_unit, supplier_id=row.supplier_id)


def rate_order(session: Session, actor: Principal, order_id: int, given: RatingInput,
               policy: CommercePolicy, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Record the buyer's rating of a delivered order (once).

    Args:
        given: all three scores (validated 1-5 at the edge; the table checks again).
        now: the time of the rating (default: the clock).

    Returns:
        The rating (:func:`rating_json`).

    Raises:
        ForbiddenError: the caller is not a buyer (403).
        NotFoundError: not an order the caller placed (404).
        ConflictError: ``not_delivered`` or ``already_rated`` (409).
    """
    actor.require(Role.BUYER)
    order = load_order_row(session, actor, order_id, lock=True)
    if order.status not in RATEABLE:
        raise ConflictError(
            f"order {order_id} is {order.status}: it can be rated once it is delivered",
            code="not_delivered", details={"status": order.status})
    if _current(session, order_id) is not None:
        raise ConflictError(f"order {order_id} is already rated; change the rating instead "
                            f"(PUT or PATCH) while it is editable", code="already_rated")
    at = now or utcnow()
    session.execute(insert(order_ratings).values(
        order_id=order_id, supplier_id=order.supplier_id, business_unit=order.business_unit,
        buyer_user_id=actor.user_id, delivery_score=given.delivery_score,
        quality_score=given.quality_score, service_score=given.service_score,
        comment=given.comment, version=1, rated_at=at, updated_at=at,
        editable_until=at + policy.rating_edit_window))
    row = _current(session, order_id)
    audit.record(session, actor, "order.rate", "order", order_id, business_unit=order.business_unit,
                 details={name: getattr(row, name) for name in SCORES})
    _emit(session, RATED_EVENT, row, order.delivered_at)
    return rating_json(row)


def change_rating(session: Session, actor: Principal, order_id: int, given: RatingInput, *,
                  now: dt.datetime | None = None) -> dict[str, Any]:
    """Change the caller's rating of an order while it is editable.

    Returns:
        The rating after the change (``version`` + 1; unchanged when nothing differs).

    Raises:
        ForbiddenError: the caller is not a buyer (403).
        NotFoundError: not an order the caller placed, or not rated yet (404).
        ConflictError: ``rating_locked`` after ``editable_until`` (409).
    """
    actor.require(Role.BUYER)
    order = load_order_row(session, actor, order_id, lock=True)
    row = _current(session, order_id, lock=True)
    if row is None:
        raise not_found("rating of order", order_id)
    at = now or utcnow()
    if at > row.editable_until:
        raise ConflictError(
            f"the rating of order {order_id} can no longer be changed: the edit window closed "
            f"at {row.editable_until.isoformat()}", code="rating_locked",
            details={"editable_until": row.editable_until.isoformat()})
    values = {name: getattr(given, name) for name in SCORES if getattr(given, name) is not None}
    if given.clear_comment:
        values["comment"] = None
    elif given.comment is not None:
        values["comment"] = given.comment
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return rating_json(row)
    session.execute(update(order_ratings).where(order_ratings.c.order_id == order_id).values(
        **changed, version=row.version + 1, updated_at=at))
    row = _current(session, order_id)
    audit.record(session, actor, "order.rating_change", "order", order_id,
                 business_unit=order.business_unit,
                 details={k: v for k, v in changed.items() if k != "comment"}
                 | ({"comment_changed": True} if "comment" in changed else {}))
    _emit(session, CHANGED_EVENT, row, order.delivered_at)
    return rating_json(row)


def get_rating(session: Session, actor: Principal, order_id: int) -> dict[str, Any]:
    """The order's rating, for its buyer and the unit's procurement and admins.

    Raises:
        ForbiddenError: suppliers and finance (403): a supplier sees only its aggregate.
        NotFoundError: the order is outside the caller's scope, or not rated (404).
    """
    actor.require(*READERS)
    load_order_row(session, actor, order_id, lock=False)
    row = _current(session, order_id)
    if row is None:
        raise not_found("rating of order", order_id)
    return rating_json(row)
