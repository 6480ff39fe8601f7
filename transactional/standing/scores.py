"""The served supplier scores: the applier of ``supplier_scores`` snapshots and the lookup
offers use.

Rows (``gold.supplier_score_snapshot``, keyed by platform supplier id, built by
:func:`models.decisions.supplier_scores.supplier_score_snapshot`): the overall score and its
interval, the rank in the supplier's main category and the badge (``top_decile``, ``watch``,
``listed``, ``unranked`` or none). A version replaces the previous one whole: a supplier it no
longer names loses its score. Unknown platform suppliers refuse the version (nothing written),
as for the elimination list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from transactional.core.inbound import Applied, Snapshot
from transactional.db.tables.identity import suppliers
from transactional.db.tables.supply import supplier_scores
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError

KIND = "supplier_scores"
BADGES = frozenset({"top_decile", "watch", "listed", "unranked"})


def _number(value: Any, field: str, supplier_id: str) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not 0.0 <= number <= 100.0:
        raise ValidationFailedError(f"{field} of {supplier_id} must be a score between 0 and 100",
                                    code="invalid_snapshot")
    return number


def _rank(value: Any) -> int | None:
    return None if value is None else int(value)


def _row(raw: dict[str, Any]) -> dict[str, Any]:
    supplier_id = str(raw.get("supplier_id") or "").strip()
    if not supplier_id or len(supplier_id) > 64:
        raise ValidationFailedError("every score row needs a supplier_id (≤ 64 characters)", code="invalid_snapshot")
    badge = raw.get("badge") or None
    if badge is not None and badge not in BADGES:
        raise ValidationFailedError(f"unknown badge {badge!r} for {supplier_id}", code="invalid_snapshot")
    month = raw.get("scorecard_month")
    return {
        "supplier_id": supplier_id,
        "overall_score": _number(raw.get("overall_score"), "overall_score", supplier_id),
        "overall_score_low": _number(raw.get("overall_score_low"), "overall_score_low", supplier_id),
        "overall_score_high": _number(raw.get("overall_score_high"), "overall_score_high", supplier_id),
        "category_name": (str(raw["category_name"])[:200] if raw.get("category_name") else None),
        "category_rank": _rank(raw.get("category_rank")),
        "category_ranked_count": _rank(raw.get("category_ranked_count")),
        "list_status": (str(raw["list_status"])[:16] if raw.get("list_status") else None),
        "badge": badge,
        "unranked_reason": (str(raw["unranked_reason"])[:200] if raw.get("unranked_reason") else None),
        "scorecard_month": month.isoformat() if isinstance(month, dt.date) else (str(month)[:10] if month else None),
    }


def apply_supplier_scores(session: Session, snapshot: Snapshot) -> Applied:
    """Make ``supplier_scores`` hold exactly the rows of ``snapshot`` (see module).

    Raises:
        ValidationFailedError: a malformed row, or a supplier the platform does not know
            (``unknown_supplier``); nothing of the version is written.
    """
    rows = {row["supplier_id"]: row for row in map(_row, snapshot.rows)}
    known = set(session.execute(select(suppliers.c.id).where(suppliers.c.id.in_(sorted(rows)))).scalars())
    unknown = sorted(set(rows) - known)
    if unknown:
        raise ValidationFailedError(f"{len(unknown)} supplier(s) of the score snapshot are unknown to the platform",
                                    code="unknown_supplier", details={"supplier_ids": unknown[:20]})
    removed = len(set(session.execute(select(supplier_scores.c.supplier_id)).scalars()) - set(rows))
    session.execute(delete(supplier_scores))
    now = utcnow()
    if rows:
        session.execute(insert(supplier_scores),
                        [{**rows[k], "snapshot_version": snapshot.version, "updated_at": now} for k in sorted(rows)])
    return Applied(written=len(rows), removed=removed)


def scores_of(session: Session, supplier_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The served score of each supplier that has one (``supplier_id`` → public fields)."""
    ids = sorted(set(supplier_ids))
    if not ids:
        return {}
    out = {}
    for r in session.execute(select(supplier_scores).where(supplier_scores.c.supplier_id.in_(ids))):
        out[r.supplier_id] = {
            "overall": r.overall_score, "low": r.overall_score_low, "high": r.overall_score_high,
            "category": r.category_name, "category_rank": r.category_rank,
            "category_ranked_count": r.category_ranked_count, "badge": r.badge,
            "unranked_reason": r.unranked_reason, "scorecard_month": r.scorecard_month,
        }
    return out
