"""Reading the lake's history profiles on the request path: one indexed query per order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from transactional.core.inbound import current_snapshot
from transactional.db.fastpath import HotStatement
from transactional.db.tables.risk import risk_profiles
from transactional.risk.inbound import KIND
from transactional.risk.rules import Profile

_LOAD = HotStatement(select(risk_profiles).where(risk_profiles.c.subject.in_(bindparam("subjects", expanding=True))))


def in_force(session: Session) -> str | None:
    """The version of the ``risk_profiles`` snapshot in force, or None (never applied)."""
    snapshot = current_snapshot(session, KIND)
    return snapshot.version if snapshot is not None else None


def load(session: Session, subjects: Sequence[str]) -> dict[str, Profile]:
    """The profiles of ``subjects`` that exist, by subject."""
    rows = _LOAD.execute(session, {"subjects": list(subjects)}).all()
    return {r.subject: Profile(
        order_count=r.order_count, quantity_median=r.quantity_median, quantity_p95=r.quantity_p95,
        unit_price_median=r.unit_price_median, amount_median=r.amount_median, amount_p95=r.amount_p95,
        currency=r.currency, first_order_at=r.first_order_at) for r in rows}
