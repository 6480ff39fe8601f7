"""``/promotions``: full reductions, percentage discounts and tiered dealer rebates."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.catalogue import promotions
from transactional.schemas.common import ERRORS
from transactional.schemas.promotions import PromotionCreate, PromotionPublic, PromotionUpdate

router = APIRouter(prefix="/promotions", tags=["promotions"], responses=ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_promotion(body: PromotionCreate, context: ContextDep,
                     user: CurrentUser) -> PromotionPublic:
    """Create a promotion (admins, procurement; unit staff for their unit only).

    Price promotions apply at order placement by ``priority`` (lower first), each on the
    amounts net of the ones before; ``exclusive`` ones only on lines without a promotion.
    Tiered rebates accrue to dealer accounts at delivery, at marginal tier rates.
    """
    values = body.model_dump()
    return PromotionPublic(**context.db.run_write(
        lambda s: promotions.create_promotion(s, user, values)))


@router.get("")
def list_promotions(
    context: ContextDep, user: CurrentUser, page: PageDep,
    kind: Literal["full_reduction", "percentage", "tiered_rebate"] | None = None,
    active: Annotated[bool | None, Query(description="only active / inactive ones")] = None,
) -> Page[PromotionPublic]:
    """Promotions that may apply to you (your unit's and group-wide; suppliers: funded by
    them and group-wide)."""
    with context.db.read() as session:
        result = promotions.list_promotions(session, user, page, kind=kind, active=active)
    return Page[PromotionPublic](**result.__dict__)


@router.get("/{promotion_id}")
def get_promotion(promotion_id: Id, context: ContextDep, user: CurrentUser) -> PromotionPublic:
    with context.db.read() as session:
        return PromotionPublic(**promotions.get_promotion(session, user, promotion_id))


@router.patch("/{promotion_id}")
def update_promotion(promotion_id: Id, body: PromotionUpdate, context: ContextDep,
                     user: CurrentUser) -> PromotionPublic:
    """Change a promotion; bumps ``version`` (orders keep the version they were priced at)."""
    changes = body.model_dump(exclude_unset=True)
    return PromotionPublic(**context.db.run_write(
        lambda s: promotions.update_promotion(s, user, promotion_id, changes)))
