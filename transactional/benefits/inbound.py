"""The applier of the ``customer_segments`` decision snapshot (the inbound door's rows).

Each row of ``gold.customer_segments`` is one CRM customer in one business unit:
``business_unit, customer_id, customer_name, segment, rfm_cell, clv``. Applying a version
(``transactional/core/inbound.apply_snapshot`` holds the transaction, the registry and the
audit row) grants every customer of a unit on the platform the benefits its segment has
under the unit's policy in force (``benefits/granting.py``), records the snapshot version
on every row, and removes the customers the version no longer holds. Rows of units the
platform does not have are skipped (the platform serves only its own units).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from transactional.benefits.customers import KIND  # noqa: F401  (the snapshot kind)
from transactional.benefits.granting import policy_in_force, terms_for, write_grant
from transactional.benefits.rules import SEGMENTS
from transactional.core import events
from transactional.core.inbound import Applied, Snapshot
from transactional.db.tables.benefits import customer_benefits
from transactional.db.tables.identity import business_units
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.domain.principal import SYSTEM


def _clean(row: Any, at: int) -> tuple[tuple[str, str], dict[str, Any]]:
    bu, ref, segment = row.get("business_unit"), row.get("customer_id"), row.get("segment")
    if not (isinstance(bu, str) and bu and isinstance(ref, str) and ref and len(ref) <= 64):
        raise ValidationFailedError(f"row {at}: business_unit and customer_id are required",
                                    code="invalid_snapshot")
    if segment not in SEGMENTS:
        raise ValidationFailedError(f"row {at}: unknown segment {segment!r}", code="invalid_snapshot")
    clv = row.get("clv")
    return (bu, ref), {"customer_name": (row.get("customer_name") or None) and str(row["customer_name"])[:300],
                       "rfm_cell": row.get("rfm_cell"), "segment": segment,
                       "clv": None if clv is None else to_decimal(str(Decimal(str(clv))))}


def apply_customer_segments(session: Session, snapshot: Snapshot) -> Applied:
    """Write one ``customer_segments`` version into ``customer_benefits`` (see module doc).

    Raises:
        ValidationFailedError ``invalid_snapshot``: a row without keys or with an unknown
        segment (nothing is written: the door rolls back).
    """
    units = set(session.execute(select(business_units.c.code)).scalars())
    incoming: dict[tuple[str, str], dict[str, Any]] = {}
    for at, raw in enumerate(snapshot.rows):
        key, values = _clean(raw, at)
        if key[0] in units:
            incoming[key] = values
    existing = {(r.business_unit, r.customer_ref): r for r in session.execute(select(customer_benefits))}
    policies = {bu: policy_in_force(session, bu) for bu in sorted({k[0] for k in incoming})}
    now = utcnow()
    for key in sorted(incoming):
        values = {**incoming[key], **terms_for(policies[key[0]], incoming[key]["segment"]),
                  "snapshot_version": snapshot.version}
        write_grant(session, SYSTEM, key, existing.get(key), values, now)
    gone = sorted(set(existing) - set(incoming))
    for bu, ref in gone:
        session.execute(delete(customer_benefits).where(customer_benefits.c.business_unit == bu,
                                                        customer_benefits.c.customer_ref == ref))
        events.emit(session, "customer_benefit.removed", "customer", f"{bu}:{ref}",
                    {"business_unit": bu, "customer_ref": ref, "snapshot_version": snapshot.version},
                    business_unit=bu)
    return Applied(written=len(incoming), removed=len(gone))
