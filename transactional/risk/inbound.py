"""The ``risk_profiles`` applier of the inbound door (``transactional/core/inbound.py``).

The lake publishes ``gold/risk_profiles`` (``orchestration/risk``); its apply asset hands each
version's rows here. A version replaces the previous one whole: every row is written with the
version, subjects the new version no longer holds are removed. Rows are plain data:

``subject`` (``sku:<id>`` | ``supplier:<id>`` | ``bu_sku:<unit>:<sku id>`` |
``bu_supplier:<unit>:<supplier id>``), ``scope``, ``business_unit``, ``supplier_id``,
``sku_id``, ``currency``, ``order_count``, ``quantity_median``, ``quantity_p95``,
``unit_price_median``, ``amount_median``, ``amount_p95``, ``first_order_at``,
``last_order_at``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from transactional.core.inbound import Applied, Row, Snapshot
from transactional.db.tables.risk import risk_profiles
from transactional.domain.errors import ValidationFailedError

KIND = "risk_profiles"
SCOPES = ("sku", "supplier", "bu_sku", "bu_supplier")
_CHUNK = 500


def _money(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def profile_row(row: Row, version: str) -> dict[str, Any]:
    """A ``risk_profiles`` row from one snapshot row (refused when malformed)."""
    subject, scope = row.get("subject"), row.get("scope")
    if not subject or scope not in SCOPES or not str(subject).startswith(f"{scope}:"):
        raise ValidationFailedError(f"risk profile row with subject {subject!r} and scope {scope!r} is malformed",
                                    code="invalid_snapshot")
    count = int(row.get("order_count") or 0)
    if count < 0:
        raise ValidationFailedError(f"risk profile {subject}: negative order_count", code="invalid_snapshot")
    return {
        "subject": str(subject)[:160], "scope": scope, "business_unit": row.get("business_unit"),
        "supplier_id": row.get("supplier_id"),
        "sku_id": None if row.get("sku_id") is None else int(row["sku_id"]),
        "currency": row.get("currency"), "order_count": count,
        "quantity_median": _float(row.get("quantity_median")), "quantity_p95": _float(row.get("quantity_p95")),
        "unit_price_median": _money(row.get("unit_price_median")),
        "amount_median": _money(row.get("amount_median")), "amount_p95": _money(row.get("amount_p95")),
        "first_order_at": _time(row.get("first_order_at")), "last_order_at": _time(row.get("last_order_at")),
        "snapshot_version": version,
    }


def apply_risk_profiles(session: Session, snapshot: Snapshot) -> Applied:
    """Replace ``risk_profiles`` with the snapshot's rows (the door's applier for ``risk_profiles``)."""
    rows = [profile_row(row, snapshot.version) for row in snapshot.rows]
    new = {r["subject"] for r in rows}
    if len(new) != len(rows):
        raise ValidationFailedError("risk profile subjects must be unique", code="invalid_snapshot")
    old = set(session.execute(select(risk_profiles.c.subject)).scalars())
    session.execute(delete(risk_profiles))
    for start in range(0, len(rows), _CHUNK):
        session.execute(insert(risk_profiles), rows[start:start + _CHUNK])
    return Applied(written=len(rows), removed=len(old - new))
