"""``/categories`` and ``/skus``: the group-wide catalogue (readable by every user)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.catalogue import skus as sku_service
from transactional.domain.attributes import parse_filter
from transactional.schemas.catalogue import CategoryCreate, CategoryPublic, SkuCreate, SkuPublic
from transactional.schemas.common import ERRORS

categories = APIRouter(prefix="/categories", tags=["catalogue"], responses=ERRORS)
skus = APIRouter(prefix="/skus", tags=["catalogue"], responses=ERRORS)

AttrFilters = Annotated[
    list[str] | None,
    Query(description="attribute filters `name:op:value`, op one of eq ne lt lte gt gte in "
                      "(`in` takes `a|b`); repeat for AND, e.g. `sulphur:lte:0.8`",
          examples=["calorific_value:gte:5500"]),
]


@categories.post("", status_code=status.HTTP_201_CREATED)
def create_category(body: CategoryCreate, context: ContextDep, user: CurrentUser) -> CategoryPublic:
    """Create a category with its typed attribute template (admins)."""
    attributes = [a.model_dump() for a in body.attributes]
    return CategoryPublic(**context.db.run_write(
        lambda s: sku_service.create_category(s, user, body.code, body.name, attributes)))


@categories.get("")
def list_categories(context: ContextDep, user: CurrentUser, page: PageDep) -> Page[CategoryPublic]:
    with context.db.read() as session:
        return Page[CategoryPublic](**sku_service.list_categories(session, page).__dict__)


@categories.get("/{category_id}")
def get_category(category_id: Id, context: ContextDep, user: CurrentUser) -> CategoryPublic:
    with context.db.read() as session:
        return CategoryPublic(**sku_service.get_category(session, category_id))


@skus.post("", status_code=status.HTTP_201_CREATED)
def create_sku(body: SkuCreate, context: ContextDep, user: CurrentUser) -> SkuPublic:
    """Create a SKU validated against its category template (admins, procurement)."""
    return SkuPublic(**context.db.run_write(lambda s: sku_service.create_sku(
        s, user, code=body.code, category_id=body.category_id, name=body.name,
        unit=body.unit, attributes=body.attributes)))


@skus.get("")
def search_skus(
    context: ContextDep, user: CurrentUser, page: PageDep,
    category_id: Id | None = None,
    q: Annotated[str | None, Query(max_length=100, description=(
        "words that must all be found in the code, name, the name's pinyin (donglimei, dlm), "
        "the category name or an attribute value"))] = None,
    attr: AttrFilters = None,
) -> Page[SkuPublic]:
    """Search SKUs by category, text and attribute values."""
    filters = [parse_filter(a) for a in attr or []]
    with context.db.read() as session:
        result = sku_service.search_skus(session, page, category_id=category_id, q=q,
                                       filters=filters)
    return Page[SkuPublic](**result.__dict__)


@skus.get("/{sku_id}")
def get_sku(sku_id: Id, context: ContextDep, user: CurrentUser) -> SkuPublic:
    with context.db.read() as session:
        return SkuPublic(**sku_service.get_sku(session, sku_id))
