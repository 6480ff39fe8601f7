"""The elimination list's applier: one decision snapshot version → ``supplier_suspensions``.

Rows (``gold.supplier_elimination_snapshot``, keyed by platform supplier id): ``supplier_id``,
``reason``, and optionally ``weakest_metrics``, ``scorecard_month``, ``supplier_key``. A
supplier listed in the new version is (still) suspended, keeping the ``since`` of its first
listing; a supplier the new version no longer lists leaves suspension. Each entry and exit
is audited. Unknown platform suppliers are refused (the whole version is not applied).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from transactional.core import audit
from transactional.core.inbound import Applied, Snapshot
from transactional.db.tables.identity import suppliers
from transactional.db.tables.supply import supplier_suspensions
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.principal import SYSTEM

KIND = "supplier_suspensions"


def _text(value: Any, limit: int) -> str | None:
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text[:limit] or None


def _entries(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    for row in snapshot.rows:
        supplier_id = str(row.get("supplier_id") or "").strip()
        if not supplier_id or len(supplier_id) > 64:
            raise ValidationFailedError("every suspension row needs a supplier_id (≤ 64 characters)",
                                        code="invalid_snapshot")
        weakest = _text(row.get("weakest_metrics"), 1000)
        reason = _text(row.get("reason"), 1000) or weakest or "on the elimination list (bottom decile)"
        entries[supplier_id] = {"reason": reason, "weakest_metrics": weakest,
                                "scorecard_month": _text(row.get("scorecard_month"), 10),
                                "supplier_key": _text(row.get("supplier_key"), 64)}
    return entries


def apply_supplier_suspensions(session: Session, snapshot: Snapshot) -> Applied:
    """Make ``supplier_suspensions`` hold exactly the suppliers of ``snapshot`` (see module).

    Raises:
        ValidationFailedError: a row without a supplier id, or a supplier the platform does
            not know (``unknown_supplier``); nothing of the version is written.
    """
    entries = _entries(snapshot)
    known = set(session.execute(select(suppliers.c.id).where(suppliers.c.id.in_(sorted(entries)))).scalars())
    unknown = sorted(set(entries) - known)
    if unknown:
        raise ValidationFailedError(f"{len(unknown)} supplier(s) of the elimination list are unknown to the "
                                    "platform", code="unknown_supplier", details={"supplier_ids": unknown[:20]})
    current = {r.supplier_id: r for r in session.execute(select(supplier_suspensions))}
    now = utcnow()
    for supplier_id, entry in sorted(entries.items()):
        values = {**entry, "snapshot_version": snapshot.version, "updated_at": now}
        if supplier_id in current:
            session.execute(update(supplier_suspensions)
                            .where(supplier_suspensions.c.supplier_id == supplier_id).values(**values))
        else:
            session.execute(insert(supplier_suspensions).values(supplier_id=supplier_id, since=now, **values))
            audit.record(session, SYSTEM, "supplier.suspend", "supplier", supplier_id,
                         details={"reason": entry["reason"], "snapshot_version": snapshot.version})
    dropped = sorted(set(current) - set(entries))
    if dropped:
        session.execute(delete(supplier_suspensions).where(supplier_suspensions.c.supplier_id.in_(dropped)))
        for supplier_id in dropped:
            audit.record(session, SYSTEM, "supplier.reinstate", "supplier", supplier_id,
                         details={"snapshot_version": snapshot.version,
                                  "suspended_since": current[supplier_id].since.isoformat()})
    return Applied(written=len(entries), removed=len(dropped))
