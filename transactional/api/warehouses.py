"""``/warehouses``: warehouses, their stock, and stock adjustments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from sqlalchemy.orm import Session

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.api.idempotent import OptionalIdempotencyKey, write_once
from transactional.catalogue import stock
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.stock import (
    StockAdjustmentCreate,
    StockAdjustmentPublic,
    StockLevelPublic,
    WarehouseCreate,
    WarehousePublic,
)

router = APIRouter(prefix="/warehouses", tags=["stock"], responses=ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_warehouse(
    body: WarehouseCreate, context: ContextDep, user: CurrentUser,
    supplier_id: Annotated[str | None, Query(
        description="admins only: the operating supplier (suppliers: from the token)",
    )] = None,
) -> WarehousePublic:
    """Create a warehouse operated by the calling supplier."""
    values = body.model_dump()
    return WarehousePublic(**context.db.run_write(lambda s: stock.create_warehouse(
        s, user, **values, supplier_id=supplier_id if user.role.value == "admin" else None)))


@router.get("")
def list_warehouses(
    context: ContextDep, user: CurrentUser, page: PageDep, supplier_id: str | None = None
) -> Page[WarehousePublic]:
    with context.db.read() as session:
        return Page[WarehousePublic](
            **stock.list_warehouses(session, user, page, supplier_id).__dict__)


@router.get("/{warehouse_id}")
def get_warehouse(warehouse_id: Id, context: ContextDep, user: CurrentUser) -> WarehousePublic:
    with context.db.read() as session:
        return WarehousePublic(**stock.get_warehouse(session, user, warehouse_id))


@router.get("/{warehouse_id}/stock")
def list_stock(
    warehouse_id: Id, context: ContextDep, user: CurrentUser, page: PageDep,
    sku_id: Id | None = None,
) -> Page[StockLevelPublic]:
    """Available and reserved stock per SKU in one warehouse."""
    with context.db.read() as session:
        return Page[StockLevelPublic](
            **stock.list_stock(session, user, warehouse_id, page, sku_id).__dict__)


@router.post("/{warehouse_id}/adjustments", status_code=status.HTTP_201_CREATED,
             responses={409: CONFLICT})
def adjust_stock(
    warehouse_id: Id, body: StockAdjustmentCreate, context: ContextDep, user: CurrentUser,
    idempotency_key: OptionalIdempotencyKey = None,
) -> StockAdjustmentPublic:
    """Add or remove available stock with a reason; emits ``stock.adjusted``.

    Send an ``Idempotency-Key`` so that a retried request is not applied twice.
    """
    def action(session: Session) -> tuple[dict, str]:
        record = stock.adjust_stock(session, user, warehouse_id, sku_id=body.sku_id,
                                    delta=body.delta, reason=body.reason, note=body.note)
        return record, str(record["id"])

    return StockAdjustmentPublic(**write_once(
        context, user, idempotency_key, "POST", f"/api/v1/warehouses/{warehouse_id}/adjustments",
        body.model_dump(mode="json"), "stock_adjustment", action))
