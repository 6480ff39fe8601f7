"""Enforcement of the elimination list on new orders.

A supplier is *blocked* for a business unit when it is suspended (``supplier_suspensions``,
the list in force) and holds no active override (confirmed, not revoked, not expired) for
that unit or group-wide. Blocking applies only
when ``CommercePolicy.enforce_elimination`` is on (``OLTP__ENFORCE_ELIMINATION``, default
off until the list's precision is raised, issue #18): with it off the standing is still
recorded and shown, nothing is refused. Orders placed before a suspension continue; only
placement is refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from transactional.core.policy import CommercePolicy
from transactional.db.tables.supply import supplier_overrides, supplier_suspensions
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError


class SupplierSuspendedError(ConflictError):
    """A new order for a supplier on the elimination list (HTTP 409)."""

    code = "supplier_suspended"


@dataclass(frozen=True)
class Block:
    """Why a supplier cannot receive new orders."""

    supplier_id: str
    reason: str
    since: dt.datetime
    snapshot_version: str


def active_override_condition(now: dt.datetime, business_unit: str | None) -> Any:
    """SQL condition: an override in force at ``now`` for ``business_unit`` (group-wide ones
    cover every unit; a caller without a unit is covered by group-wide ones only)."""
    scope = supplier_overrides.c.business_unit.is_(None)
    if business_unit is not None:
        scope = scope | (supplier_overrides.c.business_unit == business_unit)
    return (supplier_overrides.c.confirmed_at.is_not(None) & supplier_overrides.c.revoked_at.is_(None)
            & (supplier_overrides.c.expires_at > now) & scope)


def blocked_suppliers(session: Session, supplier_ids: Iterable[str], business_unit: str | None,
                      now: dt.datetime | None = None) -> dict[str, Block]:
    """The suppliers among ``supplier_ids`` that are suspended without an active override
    covering ``business_unit``."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    now = now or utcnow()
    suspended = session.execute(
        select(supplier_suspensions).where(supplier_suspensions.c.supplier_id.in_(ids))).all()
    if not suspended:
        return {}
    overridden = set(session.execute(
        select(supplier_overrides.c.supplier_id)
        .where(supplier_overrides.c.supplier_id.in_([r.supplier_id for r in suspended]),
               active_override_condition(now, business_unit))).scalars())
    return {r.supplier_id: Block(r.supplier_id, r.reason, r.since, r.snapshot_version)
            for r in suspended if r.supplier_id not in overridden}


def ensure_orderable(session: Session, supplier_ids: Sequence[str], business_unit: str | None,
                     policy: CommercePolicy) -> None:
    """Refuse a new order of ``business_unit`` for a blocked supplier, when enforcement is on.

    Raises:
        SupplierSuspendedError: 409 ``supplier_suspended`` with the list's reason.
    """
    if not policy.enforce_elimination:
        return
    blocked = blocked_suppliers(session, supplier_ids, business_unit)
    if blocked:
        first = blocked[min(blocked)]
        raise SupplierSuspendedError(
            f"supplier {first.supplier_id} is suspended for new orders (elimination list): {first.reason}",
            details={"supplier_id": first.supplier_id, "reason": first.reason,
                     "since": first.since.isoformat(), "snapshot_version": first.snapshot_version})


def mark_orderable(session: Session, offers: Sequence[MutableMapping[str, Any]], business_unit: str | None,
                   policy: CommercePolicy) -> None:
    """Set ``orderable`` and ``not_orderable_reason`` on offer dicts (with ``supplier_id``), as
    seen by a caller of ``business_unit``."""
    blocked = (blocked_suppliers(session, [o["supplier_id"] for o in offers], business_unit)
               if policy.enforce_elimination else {})
    for offer in offers:
        block = blocked.get(offer["supplier_id"])
        offer["orderable"] = block is None
        offer["not_orderable_reason"] = (
            None if block is None else f"supplier suspended (elimination list): {block.reason}")
