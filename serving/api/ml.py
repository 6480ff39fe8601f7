"""``/api/v1/risk`` and ``/api/v1/recommendations``: the models' gold tables."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from infra.http.pages import Page
from serving.access import ANALYST_ROLES, require_role, unit_filter
from serving.api.common import page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.repository import ml as repo
from serving.schemas.common import ERRORS
from serving.schemas.ml import RecommendationPublic, RiskDocumentPublic

router = APIRouter(tags=["models"])

UnitQuery = Annotated[str | None, Query(description="Business unit code; unit-scoped callers "
                                        "see their unit only")]


@router.get("/risk/documents", response_model=Page[RiskDocumentPublic], responses=ERRORS,
            summary="Documents scored for fraud risk")
def list_risk_documents(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    business_unit: UnitQuery = None,
    risk_level: Annotated[Literal["low", "medium", "high"] | None, Query()] = None,
    document_type: Annotated[Literal["purchase_order", "ap_invoice", "payment"] | None, Query()] = None,
    supplier_key: Annotated[str | None, Query(description="Golden supplier")] = None,
    vendor_id: Annotated[str | None, Query(description="ERP vendor")] = None,
) -> dict:
    """Purchase orders, invoices and payments by fraud risk (the champion model's scores), riskiest first."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.ml_fraud_risk") as snapshot:
        return page_body(repo.risk_documents(
            snapshot.cursor(), page, unit=unit, with_keys=snapshot.has("serving.erp_vendors"),
            risk_level=risk_level, document_type=document_type, supplier_key=supplier_key,
            vendor_id=vendor_id))


@router.get("/recommendations", response_model=Page[RecommendationPublic], responses=ERRORS,
            summary="Recommended SKUs per buyer, with reasons")
def list_recommendations(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    business_unit: UnitQuery = None,
    buyer_id: Annotated[str | None, Query(description="ERP buyer id or platform:<user id>")] = None,
) -> dict:
    """The recommender's SKUs for each buyer of a unit, best first, with the reason and the unit's
    preferred supplier."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.ml_recommendations") as snapshot:
        return page_body(repo.recommendations(
            snapshot.cursor(), page, unit=unit, with_keys=snapshot.has("serving.erp_vendors"),
            buyer_id=buyer_id))
