"""``/api/v1/inventory``: inventory accuracy per warehouse and its SKU lines."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from infra.http.pages import Page
from serving.access import ANALYST_ROLES, require_role, unit_filter
from serving.api.common import page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.errors import InvalidRequestError, NotFoundError
from serving.repository import inventory as repo
from serving.schemas.common import ERRORS
from serving.schemas.inventory import InventoryAccuracyPublic, StockLinePublic

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.get("/accuracy", response_model=Page[InventoryAccuracyPublic], responses=ERRORS,
            summary="Inventory accuracy per warehouse")
def list_accuracy(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    business_unit: Annotated[str | None, Query(description="Unit-scoped callers see theirs only")] = None,
    warehouse_code: Annotated[str | None, Query()] = None,
    latest_only: Annotated[bool, Query(description="Each warehouse's latest snapshot only")] = True,
    from_date: Annotated[dt.date | None, Query()] = None,
    to_date: Annotated[dt.date | None, Query()] = None,
) -> dict:
    """Share of each warehouse's SKU lines whose snapshot matches the book, RFID gate
    accuracy and the ERP-vs-WMS receipt match rate."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    if from_date and to_date and from_date > to_date:
        raise InvalidRequestError("from_date is after to_date")
    with reading(context, response, "gold.inventory_accuracy") as snapshot:
        return page_body(repo.accuracy(snapshot.cursor(), page, unit=unit, warehouse_code=warehouse_code,
                                       latest_only=latest_only, from_date=from_date, to_date=to_date))


@router.get("/warehouses/{warehouse_code}/reconciliation", response_model=Page[StockLinePublic],
            responses=ERRORS, summary="A warehouse's stock reconciliation lines")
def list_reconciliation(
    context: ContextDep, viewer: ViewerDep, warehouse_code: str, page: PageDep, response: Response,
    snapshot_date: Annotated[dt.date | None, Query()] = None,
    inaccurate_only: Annotated[bool, Query()] = False,
) -> dict:
    """Every SKU of a warehouse snapshot against the book (previous snapshot + movements).
    A warehouse of another business unit answers 404 like an unknown one."""
    require_role(viewer, ANALYST_ROLES)
    with reading(context, response, "gold.stock_reconciliation") as snapshot:
        unit = repo.warehouse_unit(snapshot.cursor(), warehouse_code)
        if unit is None or viewer.unit not in (None, unit):
            raise NotFoundError(f"warehouse {warehouse_code!r} not found")
        return page_body(repo.reconciliation(snapshot.cursor(), page, unit=viewer.unit,
                                             warehouse_code=warehouse_code,
                                             snapshot_date=snapshot_date, inaccurate_only=inaccurate_only))
