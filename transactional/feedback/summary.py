"""A supplier's rating aggregate: how many ratings and the mean of each score, never who
rated nor any single rating.

Who sees it: the supplier itself (all its ratings, every unit), procurement and admins of a
unit (the ratings of their unit's orders), group admins (all). Anyone else 403; another
supplier's id, for a supplier, 404 as if absent. For the supplier the means are shown only
from ``CommercePolicy.rating_summary_min_count`` ratings on (``means_withheld`` says so):
with one or two ratings a supplier that knows its deliveries could read a buyer's scores
off the means.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from transactional.core.policy import CommercePolicy
from transactional.db.tables.feedback import order_ratings
from transactional.db.tables.identity import suppliers
from transactional.domain.principal import Principal, Role, not_found

#: Roles that may read a supplier's aggregate.
VIEWERS = (Role.SUPPLIER, Role.PROCUREMENT, Role.ADMIN)
_CENT = Decimal("0.01")


def _mean(total: Any, count: int) -> str | None:
    if not count or total is None:
        return None
    return str((Decimal(int(total)) / count).quantize(_CENT, rounding=ROUND_HALF_EVEN))


def supplier_rating_summary(session: Session, actor: Principal, supplier_id: str,
                            policy: CommercePolicy) -> dict[str, Any]:
    """Count and means (2 decimals, as strings) of the supplier's ratings in the caller's scope.

    Raises:
        ForbiddenError: buyers and finance (403).
        NotFoundError: an unknown supplier, or another supplier's id for a supplier (404).
    """
    actor.require(*VIEWERS)
    if not actor.can_see_supplier(supplier_id) or session.execute(
            select(suppliers.c.id).where(suppliers.c.id == supplier_id)).first() is None:
        raise not_found("supplier", supplier_id)
    query = select(func.count(), *(func.sum(order_ratings.c[c]) for c in (
        "delivery_score", "quality_score", "service_score"))).where(
        order_ratings.c.supplier_id == supplier_id)
    scope = "group"
    if actor.role is not Role.SUPPLIER and not actor.is_group_admin:
        query = query.where(order_ratings.c.business_unit == actor.business_unit)
        scope = actor.business_unit or ""
    count, delivery, quality, service = session.execute(query).one()
    count = int(count or 0)
    withheld = actor.role is Role.SUPPLIER and count < policy.rating_summary_min_count
    means = {"delivery_mean": _mean(delivery, count), "quality_mean": _mean(quality, count),
             "service_mean": _mean(service, count),
             "overall_mean": _mean(sum(int(v or 0) for v in (delivery, quality, service)), 3 * count)}
    if withheld:
        means = dict.fromkeys(means)
    return {"supplier_id": supplier_id, "scope": scope, "rating_count": count, **means,
            "means_withheld": withheld, "min_count_for_means": policy.rating_summary_min_count}
