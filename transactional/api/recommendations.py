"""``/recommendations`` and ``/skus/{sku_id}/related|suppliers``: what a buyer should order
next, what goes with a SKU, and which supplier to buy it from (buyers, own list and unit).

Thin adapters over :mod:`transactional.recommend.queries`; every body says which snapshot
version it comes from and how old it is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser
from transactional.domain.principal import Role
from transactional.recommend import queries, requisition
from transactional.schemas.common import ERRORS
from transactional.schemas.recommendations import (
    DroppedPublic,
    LineAssignment,
    LineSupplier,
    RecommendationList,
    RecommendedItem,
    RelatedList,
    RequisitionAdvicePublic,
    RequisitionIn,
    RequisitionLineAdvice,
    RequisitionSuggestion,
    SnapshotRef,
    SuggestedSupplierPublic,
    SupplierChoice,
    SupplierList,
)

mine = APIRouter(prefix="/recommendations", tags=["recommendations"], responses=ERRORS)
skus = APIRouter(prefix="/skus", tags=["recommendations"], responses=ERRORS)

Limit = Annotated[int, Query(ge=1, le=50, description="most items shown")]


def _snapshot(shown: queries.Shown | requisition.RequisitionAdvice) -> SnapshotRef | None:
    s = shown.snapshot
    if s is None:
        return None
    return SnapshotRef(version=s.version, source=s.source, produced_at=s.produced_at,
                       age_seconds=round(s.age(shown.now).total_seconds(), 1))


def _dropped(shown: queries.Shown) -> list[DroppedPublic]:
    return [DroppedPublic(key=d.key, reason=d.reason) for d in shown.dropped]


@mine.get("")
def my_recommendations(context: ContextDep, user: CurrentUser, limit: Limit = 10) -> RecommendationList:
    """What to order next (buyers): your own list, or your unit's while you have no orders
    yet; only what you can order now, each with the offer to order it from."""
    user.require(Role.BUYER)
    with context.db.read() as session:
        shown = queries.buyer_recommendations(session, user, limit=limit)
    return RecommendationList(snapshot=_snapshot(shown), audience=shown.audience,
                              items=[RecommendedItem(**i.__dict__) for i in shown.items], dropped=_dropped(shown))


@mine.post("/suppliers")
def requisition_suppliers(body: RequisitionIn, context: ContextDep, user: CurrentUser) -> RequisitionAdvicePublic:
    """Which suppliers your unit should buy a requisition from (buyers): per line the ranked
    suppliers that can serve it now (active offer, stock or a lead time, not suspended unless
    your unit holds an override), and the fewest suppliers covering the most lines, with why.
    Reads only: nothing is ordered."""
    user.require(Role.BUYER)
    with context.db.read() as session:
        advice = requisition.requisition_suppliers(session, user, [(line.sku_id, line.quantity) for line in body.lines])
    lines = [RequisitionLineAdvice(
        line_no=line.line_no, sku_id=line.sku_id, sku_code=line.sku_code, quantity=line.quantity,
        suppliers=[LineSupplier(**o.option.__dict__, covers_quantity=o.covers_quantity, fulfilment=o.fulfilment)
                   for o in line.options],
        dropped=[DroppedPublic(key=d.key, reason=d.reason) for d in line.dropped]) for line in advice.lines]
    suggestion = RequisitionSuggestion(
        suppliers=[SuggestedSupplierPublic(supplier_id=s.supplier_id, supplier_name=s.supplier_name,
                                           line_nos=list(s.line_nos), reason=s.reason) for s in advice.suppliers],
        assignments=[LineAssignment(**a.__dict__) for a in advice.assignments],
        uncovered_line_nos=advice.uncovered, exact=advice.exact, reason=advice.reason)
    return RequisitionAdvicePublic(business_unit=user.business_unit, snapshot=_snapshot(advice), lines=lines,
                                   suggestion=suggestion)


@skus.get("/{sku_id}/related")
def related(sku_id: Id, context: ContextDep, user: CurrentUser, limit: Limit = 10) -> RelatedList:
    """SKUs often ordered with this one that your unit can order now (buyers)."""
    user.require(Role.BUYER)
    with context.db.read() as session:
        shown = queries.related_items(session, user, sku_id, limit=limit)
    return RelatedList(sku_id=sku_id, snapshot=_snapshot(shown),
                       items=[RecommendedItem(**i.__dict__) for i in shown.items], dropped=_dropped(shown))


@skus.get("/{sku_id}/suppliers")
def suppliers(sku_id: Id, context: ContextDep, user: CurrentUser) -> SupplierList:
    """Which supplier your unit should buy this SKU from, best first (buyers)."""
    user.require(Role.BUYER)
    with context.db.read() as session:
        shown = queries.sku_suppliers(session, user, sku_id)
    return SupplierList(sku_id=sku_id, business_unit=user.business_unit, snapshot=_snapshot(shown),
                        items=[SupplierChoice(**i.__dict__) for i in shown.items], dropped=_dropped(shown))


#: Both routers, registered by ``transactional/main.py`` in one line.
router = APIRouter()
router.include_router(mine)
router.include_router(skus)
