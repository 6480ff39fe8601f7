"""The recommendations applier: ``gold.reco_decision_snapshot`` rows into the service tables.

Called by :func:`transactional.core.inbound.apply_snapshot` (kind :data:`KIND`) inside its
write transaction. Full replacement per version: every row of the previous version is
deleted and the new version's rows inserted, each carrying the version. A row that breaks
the snapshot's contract (unknown section, a missing key, a rank below 1, a non-finite score)
refuses the whole version: nothing is written and the version in force stays.

Sections (``models/ml/recommend/snapshot.py``): ``buyer_items`` and ``unit_items`` go to
``recommendations`` (audience ``buyer`` / ``unit``), ``related_items`` to ``related_skus``,
``sku_suppliers`` to ``sku_supplier_rankings``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from transactional.core.inbound import Applied, Snapshot
from transactional.db.tables.recommend import recommendations, related_skus, sku_supplier_rankings
from transactional.domain.errors import ValidationFailedError

KIND = "recommendations"
#: The gold table the apply asset reads.
GOLD_TABLE = "reco_decision_snapshot"
SECTIONS = ("buyer_items", "unit_items", "related_items", "sku_suppliers")
REASON_MAX = 500


def _refuse(index: int, row: Mapping[str, Any], why: str) -> ValidationFailedError:
    return ValidationFailedError(f"recommendation snapshot row {index} ({row.get('section')!r}): {why}",
                                 code="invalid_snapshot", details={"row": index})


def _id(index: int, row: Mapping[str, Any], name: str) -> int:
    value = row.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _refuse(index, row, f"{name} must be a positive integer, got {value!r}")
    return value


def _common(index: int, row: Mapping[str, Any], version: str) -> dict[str, Any]:
    rank = row.get("rank")
    if isinstance(rank, bool) or not isinstance(rank, int) or rank < 1:
        raise _refuse(index, row, f"rank must be >= 1, got {rank!r}")
    score = row.get("score")
    if not isinstance(score, int | float) or not math.isfinite(score):
        raise _refuse(index, row, f"score must be a finite number, got {score!r}")
    return {"version": version, "rank": rank, "sku_id": _id(index, row, "sku_id"), "score": float(score),
            "reason": str(row.get("reason") or "")[:REASON_MAX]}


def _offer(row: Mapping[str, Any]) -> int | None:
    value = row.get("offer_id")
    return value if isinstance(value, int) and value >= 1 else None


def _unit(index: int, row: Mapping[str, Any], *, required: bool) -> str:
    unit = row.get("business_unit") or ""
    if required and not unit:
        raise _refuse(index, row, "business_unit is required")
    return str(unit)


def split_rows(snapshot: Snapshot) -> tuple[list[dict], list[dict], list[dict]]:
    """The snapshot's rows as rows of ``recommendations``, ``related_skus`` and
    ``sku_supplier_rankings`` (each with the version).

    Raises:
        ValidationFailedError: ``invalid_snapshot`` for the first row breaking the contract.
    """
    items: list[dict] = []
    related: list[dict] = []
    suppliers: list[dict] = []
    for index, row in enumerate(snapshot.rows):
        section = row.get("section")
        if section not in SECTIONS:
            raise _refuse(index, row, f"unknown section; expected one of {', '.join(SECTIONS)}")
        base = _common(index, row, snapshot.version)
        kind = str(row.get("reason_kind") or "")[:32]
        if section in ("buyer_items", "unit_items"):
            buyer = section == "buyer_items"
            items.append({**base, "audience": "buyer" if buyer else "unit",
                          "business_unit": _unit(index, row, required=not buyer),
                          "buyer_user_id": _id(index, row, "buyer_user_id") if buyer else 0,
                          "supplier_id": row.get("supplier_id"), "offer_id": _offer(row), "reason_kind": kind})
        elif section == "related_items":
            related.append({**base, "related_sku_id": _id(index, row, "related_sku_id")})
        else:
            supplier = row.get("supplier_id")
            if not supplier:
                raise _refuse(index, row, "supplier_id is required")
            suppliers.append({**base, "business_unit": _unit(index, row, required=True), "supplier_id": supplier,
                              "offer_id": _offer(row), "reason_kind": kind})
    return items, related, suppliers


def apply_recommendations(session: Session, snapshot: Snapshot) -> Applied:
    """Replace the held recommendations by ``snapshot``'s (the door's applier for :data:`KIND`).

    Args:
        session: the door's write transaction.
        snapshot: one version of ``gold.reco_decision_snapshot``, as plain data.

    Returns:
        Rows written (all of the new version) and removed (all of the previous one).

    Raises:
        ValidationFailedError: a row breaks the snapshot's contract; nothing is written.
    """
    items, related, suppliers = split_rows(snapshot)
    removed = 0
    for table, rows in ((recommendations, items), (related_skus, related), (sku_supplier_rankings, suppliers)):
        removed += session.execute(delete(table)).rowcount or 0
        if rows:
            session.execute(insert(table), rows)
    return Applied(written=len(items) + len(related) + len(suppliers), removed=removed)
