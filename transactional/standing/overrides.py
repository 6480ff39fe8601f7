"""Overrides of the elimination list, four eyes: procurement asks, another user confirms.

Procurement requests an override for one supplier, for its business unit, with a reason and
an expiry (an admin of a unit: for that unit; a group admin: group-wide); a finance user or
an admin who is not the requester and who sees that unit confirms it (maker ≠ checker, also
a database ``CHECK``). A confirmed override lifts enforcement for that supplier's new orders
of that unit (group-wide: of every unit) until it expires or is revoked (procurement,
finance or admin of the unit). An override outside the caller's unit answers 404, like
every object of another unit. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from transactional.core import audit
from transactional.db.tables.identity import suppliers
from transactional.db.tables.supply import supplier_overrides
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ForbiddenError, ValidationFailedError
from transactional.domain.principal import Principal, Role, not_found

#: The longest an override may last.
MAX_DAYS = 366


def status_of(record: dict[str, Any], now: dt.datetime) -> str:
    """``pending``, ``active``, ``expired`` or ``revoked``."""
    if record["revoked_at"] is not None:
        return "revoked"
    if record["expires_at"] <= now:
        return "expired"
    return "active" if record["confirmed_at"] is not None else "pending"


def _public(row: Any, now: dt.datetime) -> dict[str, Any]:
    record = dict(row._mapping)
    record["status"] = status_of(record, now)
    return record


def visible(actor: Principal, business_unit: str | None) -> bool:
    """Whether ``actor`` may see (and act on) an override of ``business_unit`` (None: group-wide)."""
    return actor.is_group_admin or (business_unit is not None and business_unit == actor.business_unit)


def _supplier(session: Session, supplier_id: str) -> None:
    if session.execute(select(suppliers.c.id).where(suppliers.c.id == supplier_id)).first() is None:
        raise not_found("supplier", supplier_id)


def _override(session: Session, actor: Principal, supplier_id: str, override_id: int) -> Any:
    row = session.execute(select(supplier_overrides).where(
        supplier_overrides.c.id == override_id, supplier_overrides.c.supplier_id == supplier_id)).first()
    if row is None or not visible(actor, row.business_unit):
        raise not_found("override", override_id)
    return row


def request_override(session: Session, actor: Principal, supplier_id: str, *, reason: str,
                     expires_at: dt.datetime) -> dict[str, Any]:
    """Ask to exempt ``supplier_id`` from enforcement for the caller's unit until ``expires_at``.

    Raises:
        ForbiddenError: not procurement or admin.
        NotFoundError: unknown supplier.
        ValidationFailedError: empty reason, expiry not in the future or beyond ``MAX_DAYS``.
    """
    actor.require(Role.PROCUREMENT, Role.ADMIN)
    _supplier(session, supplier_id)
    now = utcnow()
    if not (reason or "").strip():
        raise ValidationFailedError("an override needs a reason")
    if expires_at.tzinfo is None or not now < expires_at <= now + dt.timedelta(days=MAX_DAYS):
        raise ValidationFailedError(f"expires_at must be timezone-aware, in the future and within {MAX_DAYS} days")
    values = {"supplier_id": supplier_id, "business_unit": actor.business_unit, "reason": reason.strip()[:1000],
              "expires_at": expires_at, "requested_by": actor.user_id, "requested_at": now,
              "confirmed_by": None, "confirmed_at": None, "revoked_by": None, "revoked_at": None}
    override_id = session.execute(insert(supplier_overrides).values(**values)
                                  .returning(supplier_overrides.c.id)).scalar_one()
    audit.record(session, actor, "supplier_override.request", "supplier", supplier_id,
                 business_unit=actor.business_unit,
                 details={"override_id": override_id, "reason": values["reason"],
                          "expires_at": expires_at.isoformat(), "scope": actor.business_unit or "group"})
    return {"id": override_id, **values, "status": "pending"}


def confirm_override(session: Session, actor: Principal, supplier_id: str, override_id: int) -> dict[str, Any]:
    """Finance or an admin of the override's unit, not the requester, confirms it.

    Raises:
        ForbiddenError: another role, or the requester itself (``maker_checker``).
        NotFoundError: no such override of the supplier in the caller's scope.
        ConflictError: the override is not pending (``override_not_pending``).
    """
    actor.require(Role.FINANCE, Role.ADMIN)
    row = _override(session, actor, supplier_id, override_id)
    if row.requested_by == actor.user_id:
        raise ForbiddenError("the user who requested an override may not confirm it (four eyes)",
                             code="maker_checker")
    now = utcnow()
    status = status_of(dict(row._mapping), now)
    if status != "pending":
        raise ConflictError(f"override {override_id} is {status}, not pending", code="override_not_pending")
    session.execute(update(supplier_overrides).where(supplier_overrides.c.id == override_id)
                    .values(confirmed_by=actor.user_id, confirmed_at=now))
    audit.record(session, actor, "supplier_override.confirm", "supplier", supplier_id,
                 business_unit=row.business_unit,
                 details={"override_id": override_id, "requested_by": row.requested_by,
                          "expires_at": row.expires_at.isoformat()})
    return _public(_override(session, actor, supplier_id, override_id), now)


def revoke_override(session: Session, actor: Principal, supplier_id: str, override_id: int) -> dict[str, Any]:
    """End an override before its expiry (procurement, finance, admin of its unit)."""
    actor.require(Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)
    row = _override(session, actor, supplier_id, override_id)
    now = utcnow()
    status = status_of(dict(row._mapping), now)
    if status not in ("pending", "active"):
        raise ConflictError(f"override {override_id} is {status} already", code="override_not_active")
    session.execute(update(supplier_overrides).where(supplier_overrides.c.id == override_id)
                    .values(revoked_by=actor.user_id, revoked_at=now))
    audit.record(session, actor, "supplier_override.revoke", "supplier", supplier_id,
                 business_unit=row.business_unit, details={"override_id": override_id})
    return _public(_override(session, actor, supplier_id, override_id), now)


def list_overrides(session: Session, actor: Principal, supplier_id: str,
                   now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """The overrides of one supplier the caller may see (its unit's, or all for a group
    admin), newest first; a supplier account sees none."""
    if actor.role is Role.SUPPLIER:
        return []
    now = now or utcnow()
    rows = session.execute(select(supplier_overrides).where(supplier_overrides.c.supplier_id == supplier_id)
                           .order_by(supplier_overrides.c.id.desc())).all()
    return [_public(r, now) for r in rows if visible(actor, r.business_unit) or r.business_unit is None]
