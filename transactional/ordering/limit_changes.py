"""Changing a unit's approval limit takes two people of two roles (four eyes).

A unit's procurement or admin *requests* a change (:func:`request_change`, audited); it
stays ``pending`` until a second user of the unit (procurement, finance or admin) whose
role differs from the requester's *confirms* it (:func:`confirm_change`: the limit applies,
audited) or *rejects* it (:func:`reject_change`, with a reason). A newer request for the
same unit supersedes a pending one. Who may do which is the policy's
(``core/policy.py``: ``approval_limit.request`` / ``approval_limit.confirm``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from transactional.core import audit
from transactional.core.jsonable import jsonable
from transactional.core.policy import PERMISSIONS, Action, authorize, require_checker
from transactional.db.tables.ordering import approval_limit_changes as changes
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.principal import Principal, not_found
from transactional.ordering.approvals import set_limit, validated_limit


def _public(row: Any) -> dict[str, Any]:
    return jsonable(dict(row._mapping))


def request_change(session: Session, actor: Principal, business_unit: str,
                   amount: Decimal | str, currency: str) -> dict[str, Any]:
    """Request a new approval limit for a unit; returns the pending change.

    Raises:
        ForbiddenError (role), NotFoundError (unit absent or outside scope),
        ValidationFailedError (amount not positive, bad currency).
    """
    authorize(actor, Action.LIMIT_REQUEST)
    value = validated_limit(session, actor, business_unit, amount, currency)
    now = utcnow()
    superseded = session.execute(
        update(changes).where(changes.c.business_unit == business_unit,
                              changes.c.status == "pending")
        .values(status="superseded", decided_at=now, decided_by=actor.user_id,
                decided_role=actor.role.value)).rowcount
    change_id = session.execute(insert(changes).values(
        business_unit=business_unit, amount=value, currency=currency, status="pending",
        requested_by=actor.user_id, requested_role=actor.role.value, requested_at=now,
    ).returning(changes.c.id)).scalar_one()
    audit.record(session, actor, "approval_limit.request", "approval_limit_change", change_id,
                 business_unit=business_unit,
                 details={"amount": value, "currency": currency, "superseded": superseded})
    return get_change(session, actor, change_id)


def _load(session: Session, actor: Principal, change_id: int, *, lock: bool = False) -> Any:
    query = select(changes).where(changes.c.id == change_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None or not actor.can_see_business_unit(row.business_unit):
        raise not_found("approval limit change", change_id)
    return row


def get_change(session: Session, actor: Principal, change_id: int) -> dict[str, Any]:
    """One change of a unit the caller may see (roles that request or confirm)."""
    _require_reader(actor)
    return _public(_load(session, actor, change_id))


def _require_reader(actor: Principal) -> None:
    if actor.role not in PERMISSIONS[Action.LIMIT_REQUEST] | PERMISSIONS[Action.LIMIT_CONFIRM]:
        authorize(actor, Action.LIMIT_CONFIRM)


def list_changes(session: Session, actor: Principal, *, status: str | None = "pending"
                 ) -> list[dict[str, Any]]:
    """Changes of the units the caller may see, newest first (default: pending only)."""
    _require_reader(actor)
    query = select(changes).order_by(changes.c.id.desc())
    if not actor.is_group_admin:
        query = query.where(changes.c.business_unit == actor.business_unit)
    if status:
        query = query.where(changes.c.status == status)
    return [_public(r) for r in session.execute(query)]


def _decide(session: Session, actor: Principal, change_id: int) -> Any:
    authorize(actor, Action.LIMIT_CONFIRM)
    row = _load(session, actor, change_id, lock=True)
    require_checker(actor, Action.LIMIT_CONFIRM, row.requested_by, row.requested_role)
    if row.status != "pending":
        raise ConflictError(f"approval limit change {change_id} is already {row.status}",
                            code="already_decided", details={"status": row.status})
    return row


def confirm_change(session: Session, actor: Principal, change_id: int) -> dict[str, Any]:
    """Confirm a pending change: the unit's limit becomes its amount.

    Raises:
        ForbiddenError (role; ``separation_of_duties``: the requester, or someone of the
        requester's role), NotFoundError, ConflictError ``already_decided``.
    """
    row = _decide(session, actor, change_id)
    session.execute(update(changes).where(changes.c.id == change_id).values(
        status="confirmed", decided_by=actor.user_id, decided_role=actor.role.value,
        decided_at=utcnow()))
    audit.record(session, actor, "approval_limit.confirm", "approval_limit_change", change_id,
                 business_unit=row.business_unit,
                 details={"requested_by": row.requested_by, "amount": row.amount,
                          "currency": row.currency})
    return set_limit(session, actor, row.business_unit, row.amount, row.currency,
                     requested_by=row.requested_by)


def reject_change(session: Session, actor: Principal, change_id: int,
                  reason: str | None) -> dict[str, Any]:
    """Reject a pending change with a reason (same checker rules as confirming)."""
    if not (reason or "").strip():
        raise ValidationFailedError("a rejection needs a reason", code="reason_required")
    row = _decide(session, actor, change_id)
    session.execute(update(changes).where(changes.c.id == change_id).values(
        status="rejected", decided_by=actor.user_id, decided_role=actor.role.value,
        decided_at=utcnow(), reason=reason))
    audit.record(session, actor, "approval_limit.reject", "approval_limit_change", change_id,
                 business_unit=row.business_unit,
                 details={"requested_by": row.requested_by, "reason": reason})
    return get_change(session, actor, change_id)
