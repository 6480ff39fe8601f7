"""``/api/v1/suppliers``: golden suppliers and the supplier 360 with its paged sections."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Response

from infra.http.pages import Page
from serving.access import ANALYST_ROLES, Viewer, may_see_supplier, require_role, unit_filter
from serving.api.common import MonthQuery, month_range, page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.errors import NotFoundError
from serving.repository import scorecards as scorecard_repo
from serving.repository import suppliers as repo
from serving.repository.paging import one
from serving.schemas.common import ERRORS
from serving.schemas.suppliers import (
    PriceMonthPublic,
    ShipmentPublic,
    SourceRecordPublic,
    SpendMonthPublic,
    Supplier360Public,
    SupplierPublic,
)
from serving.snapshot.store import Snapshot

router = APIRouter(prefix="/suppliers", tags=["suppliers"])

MASTER = "gold.supplier_master"
HISTORY_MONTHS = 12
DELIVERY_RISK_ROWS = 50


def _visible(snapshot: Snapshot, viewer: Viewer, supplier_key: str) -> None:
    """404 unless the supplier exists and is in the caller's scope."""
    require_role(viewer, ANALYST_ROLES)
    cursor = snapshot.cursor()
    exists = one(cursor, f"SELECT 1 AS found FROM {MASTER} WHERE supplier_key = ?", [supplier_key])
    units = scorecard_repo.in_unit(cursor, supplier_key)
    if exists is None or not may_see_supplier(viewer, units, None, supplier_key):
        raise NotFoundError(f"supplier {supplier_key!r} not found")


@router.get("", response_model=Page[SupplierPublic], responses=ERRORS, summary="Golden suppliers")
def list_suppliers(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    business_unit: Annotated[str | None, Query(description="Suppliers in this unit")] = None,
    q: Annotated[str | None, Query(description="Name or group supplier id contains, or a supplier_key")] = None,
    uscc: Annotated[str | None, Query(description="Unified social credit code")] = None,
) -> dict:
    """The group supplier master in scope, by group supplier id."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, MASTER, "serving.supplier_units") as snapshot:
        return page_body(repo.suppliers(snapshot.cursor(), page, unit=unit, query=q, uscc=uscc))


@router.get("/{supplier_key}", response_model=Supplier360Public, responses=ERRORS,
            summary="Supplier 360")
def get_supplier(context: ContextDep, viewer: ViewerDep, supplier_key: str, response: Response) -> dict:
    """The golden record, the source records and aliases merged into it, its current
    scorecard, spend by business unit, the last 12 months of quality and delivery, its
    prices against the category's SKU medians, and its late-delivery risk per SKU (the 50
    riskiest vendor record x SKU pairs). Unit-scoped callers see their unit's spend, records
    and risks."""
    with reading(context, response, MASTER, "gold.supplier_source_records") as snapshot:
        _visible(snapshot, viewer, supplier_key)
        cursor = snapshot.cursor()
        unit = viewer.unit
        records = repo.source_records(cursor, supplier_key, unit=unit)
        body = {
            "supplier": repo.golden_record(cursor, supplier_key),
            "source_records": records,
            "aliases": sorted({r["recorded_name"] for r in records if r.get("recorded_name")}),
            "scorecard": None, "spend_by_business_unit": [], "performance_history": [],
            "price_trend": [], "delivery_risk": [], "missing_marts": [],
        }
        sections = (
            ("gold.supplier_scorecards_current", "scorecard",
             lambda: one(cursor, f"SELECT {scorecard_repo.SUMMARY_COLUMNS} FROM "
                         "gold.supplier_scorecards_current WHERE supplier_key = ?", [supplier_key])),
            ("gold.supplier_spend_by_bu", "spend_by_business_unit",
             lambda: repo.spend_summary(cursor, supplier_key, unit=unit)),
            ("gold.supplier_scorecards", "performance_history",
             lambda: repo.performance(cursor, supplier_key, last=HISTORY_MONTHS)),
            ("gold.supplier_price_history", "price_trend",
             lambda: repo.price_trend(cursor, supplier_key, last=HISTORY_MONTHS)),
            ("gold.ml_delivery_risk", "delivery_risk",
             lambda: repo.delivery_risk(cursor, supplier_key, unit=unit, limit=DELIVERY_RISK_ROWS)),
        )
        for table, field, load in sections:
            if snapshot.has(table):
                body[field] = load()
            else:
                body["missing_marts"].append(table)
        return body


@router.get("/{supplier_key}/source-records", response_model=list[SourceRecordPublic],
            responses=ERRORS, summary="Records merged into a supplier")
def get_source_records(context: ContextDep, viewer: ViewerDep, supplier_key: str,
                       response: Response) -> list[dict]:
    """The crosswalk rows of the supplier: every ERP vendor and platform record, its match
    confidence and the evidence that linked it."""
    with reading(context, response, MASTER, "gold.supplier_source_records") as snapshot:
        _visible(snapshot, viewer, supplier_key)
        return repo.source_records(snapshot.cursor(), supplier_key, unit=viewer.unit)


@router.get("/{supplier_key}/spend", response_model=Page[SpendMonthPublic], responses=ERRORS,
            summary="Spend by business unit and month")
def get_spend(
    context: ContextDep, viewer: ViewerDep, supplier_key: str, page: PageDep, response: Response,
    business_unit: Annotated[str | None, Query(description="One unit; unit-scoped callers see theirs only")] = None,
    from_month: MonthQuery = None, to_month: MonthQuery = None,
) -> dict:
    """Ordered, received and invoiced amounts per business unit and month, newest first."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    first, last = month_range(from_month, to_month)
    with reading(context, response, MASTER, "gold.supplier_spend_by_bu") as snapshot:
        _visible(snapshot, viewer, supplier_key)
        return page_body(repo.spend(snapshot.cursor(), supplier_key, page, unit=unit,
                                    from_month=first, to_month=last))


@router.get("/{supplier_key}/price-history", response_model=Page[PriceMonthPublic],
            responses=ERRORS, summary="Prices against the category median")
def get_price_history(
    context: ContextDep, viewer: ViewerDep, supplier_key: str, page: PageDep, response: Response,
    material_id: Annotated[str | None, Query()] = None,
    category_id: Annotated[str | None, Query()] = None,
    from_month: MonthQuery = None, to_month: MonthQuery = None,
) -> dict:
    """Per SKU and month: price paid and quoted against the median of the same SKU across
    the category's suppliers, and the trend."""
    first, last = month_range(from_month, to_month)
    with reading(context, response, MASTER, "gold.supplier_price_history") as snapshot:
        _visible(snapshot, viewer, supplier_key)
        return page_body(repo.price_history(snapshot.cursor(), supplier_key, page,
                                            material_id=material_id, category_id=category_id,
                                            from_month=first, to_month=last))


@router.get("/{supplier_key}/shipments", response_model=Page[ShipmentPublic], responses=ERRORS,
            summary="Inbound shipments and their ETAs")
def get_shipments(
    context: ContextDep, viewer: ViewerDep, supplier_key: str, page: PageDep, response: Response,
    from_month: MonthQuery = None, to_month: MonthQuery = None,
) -> dict:
    """Shipments of the supplier to your unit (group-wide: all), promised vs ASN vs GPS ETA."""
    first, last = month_range(from_month, to_month)
    end = None if last is None else (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    with reading(context, response, MASTER, "gold.shipment_tracking", "serving.erp_vendors") as snapshot:
        _visible(snapshot, viewer, supplier_key)
        return page_body(repo.shipments(snapshot.cursor(), supplier_key, page, unit=viewer.unit,
                                        from_date=first, before=end))
