"""``/api/v1/procurement``: sourcing savings, contract compliance, contract utilisation and
expiring contracts (issue #28 item 5). Procurement, finance and admins; a unit-scoped caller
sees its own unit only (naming another in ``business_unit`` is 403 ``out_of_scope``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from infra.http.pages import Page
from serving.access import ANALYST_ROLES, require_role, unit_filter
from serving.api.common import page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.repository import procurement as repo
from serving.schemas.common import ERRORS
from serving.schemas.procurement import (
    ContractCompliancePublic,
    ContractUtilisationPublic,
    ExpiringContractPublic,
    SourcingSavingsPublic,
)

router = APIRouter(prefix="/procurement", tags=["procurement"])

Unit = Annotated[str | None, Query(max_length=32, description="Unit-scoped callers see theirs only")]
Category = Annotated[str | None, Query(max_length=64)]


@router.get("/sourcing-savings", response_model=Page[SourcingSavingsPublic], responses=ERRORS,
            summary="Sourcing savings per unit and category")
def list_savings(context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
                 business_unit: Unit = None, category_code: Category = None) -> dict:
    """Approved awards against the unit's last price paid and the SKU's group median paid
    price before each event (group currency; positive savings = the award is cheaper)."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.sourcing_savings") as snapshot:
        return page_body(repo.savings(snapshot.cursor(), page, unit=unit, category_code=category_code))


@router.get("/contract-compliance", response_model=Page[ContractCompliancePublic],
            responses=ERRORS, summary="Spend under contract vs maverick spend")
def list_compliance(context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
                    business_unit: Unit = None, category_code: Category = None) -> dict:
    """Per unit and category, purchases of SKUs under a contract in force: call-off spend,
    off-contract (maverick) spend, the compliance rate and the price leakage (paid above the
    contract price)."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.contract_compliance") as snapshot:
        return page_body(repo.compliance(snapshot.cursor(), page, unit=unit,
                                         category_code=category_code))


@router.get("/contract-utilisation", response_model=Page[ContractUtilisationPublic],
            responses=ERRORS, summary="Framework contracts: called off vs committed")
def list_utilisation(context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
                     business_unit: Unit = None,
                     supplier_id: Annotated[str | None, Query(max_length=64)] = None,
                     signed_only: Annotated[bool, Query()] = False) -> dict:
    """Per contract: committed, called-off and remaining quantity and value, the utilisation
    rate and the share of the validity window passed. A unit sees the contracts covering it."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.contract_utilisation") as snapshot:
        return page_body(repo.utilisation(snapshot.cursor(), page, unit=unit,
                                          supplier_id=supplier_id, signed_only=signed_only))


@router.get("/contracts-expiring", response_model=Page[ExpiringContractPublic],
            responses=ERRORS, summary="Contracts ending soon with quantity left")
def list_expiring(context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
                  business_unit: Unit = None,
                  within_days: Annotated[int | None, Query(ge=0, le=3650,
                                                           description="Ending within N days")] = None
                  ) -> dict:
    """Signed contracts with remaining quantity whose last day is within ``within_days``
    (at most the mart's horizon, 90 days) of the lake's as-of date, soonest first."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.contracts_expiring") as snapshot:
        return page_body(repo.expiring(snapshot.cursor(), page, unit=unit, within_days=within_days))
