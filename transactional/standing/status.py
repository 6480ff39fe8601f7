"""A supplier's standing as the supplier itself (and procurement, finance, admins) sees it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from transactional.core.inbound import current_snapshot
from transactional.core.policy import CommercePolicy
from transactional.db.tables.identity import suppliers
from transactional.db.tables.supply import supplier_suspensions
from transactional.db.types import utcnow
from transactional.domain.principal import SYSTEM, Principal, Role, not_found
from transactional.standing.inbound import KIND
from transactional.standing.overrides import list_overrides

READ_ROLES = (Role.SUPPLIER, Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)


def supplier_standing(session: Session, actor: Principal, supplier_id: str,
                      policy: CommercePolicy) -> dict[str, Any]:
    """Whether ``supplier_id`` may receive new orders, and why not.

    ``status`` is ``good`` (not on the list in force), ``suspended`` (on it, no active
    override for the caller's unit) or ``overridden`` (on it, an active override of the
    caller's unit or a group-wide one lifts enforcement). ``enforced`` says whether the
    platform refuses orders for suspended suppliers at all.

    Raises:
        ForbiddenError: buyers.
        NotFoundError: unknown supplier, or another supplier's standing asked by a supplier.
    """
    actor.require(*READ_ROLES)
    if not actor.can_see_supplier(supplier_id) or session.execute(
            select(suppliers.c.id).where(suppliers.c.id == supplier_id)).first() is None:
        raise not_found("supplier", supplier_id)
    now = utcnow()
    row = session.execute(select(supplier_suspensions)
                          .where(supplier_suspensions.c.supplier_id == supplier_id)).first()
    overrides = list_overrides(session, actor, supplier_id, now)
    active = next((o for o in overrides if o["status"] == "active"
                   and o["business_unit"] in (None, actor.business_unit)), None)
    if row is not None and active is None and actor.role is Role.SUPPLIER:  # group-wide ones only
        active = next((o for o in list_overrides(session, SYSTEM, supplier_id, now)
                       if o["status"] == "active" and o["business_unit"] is None), None)
    in_force = current_snapshot(session, KIND)
    status = "good" if row is None else ("overridden" if active else "suspended")
    return {
        "supplier_id": supplier_id, "status": status, "enforced": policy.enforce_elimination,
        "orderable": status != "suspended" or not policy.enforce_elimination,
        "reason": row.reason if row else None, "weakest_metrics": row.weakest_metrics if row else None,
        "scorecard_month": row.scorecard_month if row else None, "since": row.since if row else None,
        "snapshot_version": in_force.version if in_force else None,
        "snapshot_produced_at": in_force.produced_at if in_force else None,
        "snapshot_age_seconds": round(in_force.age(now).total_seconds(), 1) if in_force else None,
        "active_override": active,
        "overrides": overrides,
    }
