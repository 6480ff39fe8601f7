"""``/offers``: supplier offers (readable by all; written by the owning supplier)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.catalogue import AttrFilters
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.catalogue import offers
from transactional.contracts.pricing import mark_contract_prices
from transactional.db.types import utcnow
from transactional.domain.attributes import parse_filter
from transactional.schemas.common import ERRORS
from transactional.schemas.offers import OfferCreate, OfferPublic, OfferUpdate
from transactional.standing.enforcement import mark_orderable
from transactional.standing.scores import scores_of

router = APIRouter(prefix="/offers", tags=["offers"], responses=ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_offer(
    body: OfferCreate, context: ContextDep, user: CurrentUser,
    supplier_id: Annotated[str | None, Query(
        description="admins only: the supplier the offer is for (suppliers: from the token)",
    )] = None,
) -> OfferPublic:
    """Create an offer for the calling supplier; emits ``offer.created``."""
    tiers = [t.model_dump() for t in body.price_tiers]
    return OfferPublic(**context.db.run_write(lambda s: offers.create_offer(
        s, user, sku_id=body.sku_id, currency=body.currency, moq=body.moq,
        order_multiple=body.order_multiple, lead_time_days=body.lead_time_days, tiers=tiers,
        supplier_id=supplier_id if user.role.value == "admin" else None)))


@router.patch("/{offer_id}")
def update_offer(
    offer_id: Id, body: OfferUpdate, context: ContextDep, user: CurrentUser
) -> OfferPublic:
    """Change an offer (owner or admin); bumps ``version``, emits ``offer.changed``."""
    changes = body.model_dump(exclude_unset=True)
    if "price_tiers" in changes:
        changes["tiers"] = changes.pop("price_tiers")
    return OfferPublic(**context.db.run_write(
        lambda s: offers.update_offer(s, user, offer_id, changes)))


Sort = Literal["price", "-price", "lead_time", "-lead_time", "score", "-score"]


def _mark_scores(session, items) -> None:
    scores = scores_of(session, (o["supplier_id"] for o in items))
    for offer in items:
        offer["supplier_score"] = scores.get(offer["supplier_id"])


@router.get("")
def list_offers(
    context: ContextDep, user: CurrentUser, page: PageDep,
    sku_id: Id | None = None, category_id: Id | None = None,
    supplier_id: Annotated[str | None, Query(max_length=64)] = None, is_active: bool | None = True,
    attr: AttrFilters = None,
    sort: Annotated[Sort | None, Query(description=(
        "price: base tier's unit price in the group currency (latest FX rate), cheapest first; "
        "lead_time: fastest first; score: the supplier's served score, highest first; "
        "a leading '-' reverses; offers without the value come last"))] = None,
) -> Page[OfferPublic]:
    """Search offers by SKU, category, supplier and SKU attribute values, optionally sorted.
    Each offer names its supplier and carries the supplier's served score and badge
    (``supplier_score``; ``top_decile``, ``watch``, ``listed``, ``unranked``). ``orderable`` is
    false (with the reason) for a supplier suspended by the elimination list while
    enforcement is on. ``contract_prices``: the framework contracts in force for your unit
    that price the offer's SKU (order at them with ``contract_id``)."""
    filters = [parse_filter(a) for a in attr or []]
    with context.db.read() as session:
        result = offers.list_offers(session, page, sku_id=sku_id, category_id=category_id,
                                    supplier_id=supplier_id, is_active=is_active,
                                    filters=filters, sort=sort, group_currency=context.policy.group_currency)
        mark_orderable(session, result.items, user.business_unit, context.policy)
        mark_contract_prices(session, result.items, user.business_unit, utcnow().date())
        _mark_scores(session, result.items)
    return Page[OfferPublic](**result.__dict__)


@router.get("/{offer_id}")
def get_offer(offer_id: Id, context: ContextDep, user: CurrentUser) -> OfferPublic:
    with context.db.read() as session:
        offer = offers.get_offer(session, offer_id)
        mark_orderable(session, [offer], user.business_unit, context.policy)
        mark_contract_prices(session, [offer], user.business_unit, utcnow().date())
        _mark_scores(session, [offer])
    return OfferPublic(**offer)
