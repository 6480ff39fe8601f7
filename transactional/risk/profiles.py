"""Reading the lake's history profiles (placement reads them in ``ordering/screening.py``'s look-back)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from transactional.core.inbound import current_snapshot
from transactional.db.fastpath import HotStatement
from transactional.db.tables.risk import risk_profiles
from transactional.risk.inbound import KIND
from transactional.risk.rules import Profile

#: the ``risk_profiles`` columns a :class:`Profile` is built from (with ``subject``)
COLUMNS = ("subject", "order_count", "quantity_median", "quantity_p95", "unit_price_median", "amount_median",
           "amount_p95", "currency", "first_order_at")
_LOAD = HotStatement(select(risk_profiles).where(risk_profiles.c.subject.in_(bindparam("subjects", expanding=True))))


def in_force(session: Session) -> str | None:
    """The version of the ``risk_profiles`` snapshot in force, or None (never applied)."""
    snapshot = current_snapshot(session, KIND)
    return snapshot.version if snapshot is not None else None


def profile_of(row: Any, *, currency_column: str = "currency") -> Profile:
    """A :class:`Profile` from a row holding :data:`COLUMNS` (the currency under ``currency_column``)."""
    return Profile(
        order_count=row.order_count, quantity_median=row.quantity_median, quantity_p95=row.quantity_p95,
        unit_price_median=row.unit_price_median, amount_median=row.amount_median, amount_p95=row.amount_p95,
        currency=getattr(row, currency_column), first_order_at=row.first_order_at)


def load(session: Session, subjects: Sequence[str]) -> dict[str, Profile]:
    """The profiles of ``subjects`` that exist, by subject."""
    return {r.subject: profile_of(r) for r in _LOAD.execute(session, {"subjects": list(subjects)}).all()}
