"""``/api/v1/customers``: RFM segments and lifetime value, per business unit and group-wide."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from infra.http.pages import Page
from serving.access import ANALYST_ROLES, customer_scopes, require_role
from serving.api.common import page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.errors import NotFoundError
from serving.repository import customers as repo
from serving.schemas.common import ERRORS
from serving.schemas.customers import (
    CustomerLtvPublic,
    CustomerPublic,
    CustomerRfmPublic,
    SegmentSummaryPublic,
)

router = APIRouter(prefix="/customers", tags=["customers"])

Segment = Literal["champions", "loyal", "potential_loyalists", "new_customers", "promising",
                  "need_attention", "about_to_sleep", "cannot_lose", "at_risk", "hibernating", "lost"]
CustomerType = Literal["dealer", "key_account", "internal"]
ScopeQuery = Annotated[str | None, Query(
    description="A business unit code or GROUP; unit-scoped callers see their unit only")]


@router.get("/segments", response_model=Page[CustomerRfmPublic], responses=ERRORS,
            summary="Customer RFM segments")
def list_segments(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    scope: ScopeQuery = None,
    segment: Annotated[Segment | None, Query()] = None,
    customer_type: Annotated[CustomerType | None, Query()] = None,
) -> dict:
    """RFM per customer and scope, biggest spenders first."""
    require_role(viewer, ANALYST_ROLES)
    scope = customer_scopes(viewer, scope)
    with reading(context, response, "gold.customer_rfm") as snapshot:
        return page_body(repo.segments(snapshot.cursor(), page, scope=scope, segment=segment,
                                       customer_type=customer_type))


@router.get("/segment-summary", response_model=list[SegmentSummaryPublic], responses=ERRORS,
            summary="Customers and spend per segment")
def segment_summary(context: ContextDep, viewer: ViewerDep, response: Response,
                    scope: ScopeQuery = None) -> list[dict]:
    """How many customers (and how much spend) each segment holds, per scope."""
    require_role(viewer, ANALYST_ROLES)
    scope = customer_scopes(viewer, scope)
    with reading(context, response, "gold.customer_rfm") as snapshot:
        return repo.segment_summary(snapshot.cursor(), scope=scope)


@router.get("/ltv", response_model=Page[CustomerLtvPublic], responses=ERRORS,
            summary="Customer lifetime value")
def list_ltv(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    scope: ScopeQuery = None,
    customer_type: Annotated[CustomerType | None, Query()] = None,
) -> dict:
    """Customer lifetime value (BG/NBD + Gamma-Gamma) per scope, most valuable first."""
    require_role(viewer, ANALYST_ROLES)
    scope = customer_scopes(viewer, scope)
    with reading(context, response, "gold.customer_ltv") as snapshot:
        return page_body(repo.lifetime_values(snapshot.cursor(), page, scope=scope,
                                              customer_type=customer_type))


@router.get("/{customer_id}", response_model=CustomerPublic, responses=ERRORS,
            summary="One customer's segment and LTV")
def get_customer(context: ContextDep, viewer: ViewerDep, customer_id: str,
                 response: Response) -> dict:
    """A customer's RFM segment and LTV in every scope you may see (404 when none)."""
    require_role(viewer, ANALYST_ROLES)
    scope = customer_scopes(viewer, None)
    with reading(context, response, "gold.customer_rfm") as snapshot:
        found = repo.customer(snapshot.cursor(), customer_id, scope=scope,
                              with_ltv=snapshot.has("gold.customer_ltv"))
    if not found["rfm"] and not found["ltv"]:
        raise NotFoundError(f"customer {customer_id!r} not found")
    return {"customer_id": customer_id, **found}
