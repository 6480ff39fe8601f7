"""``/business-units`` and ``/suppliers``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from infra.http.pages import Page
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.identity import directory
from transactional.schemas.common import ERRORS
from transactional.schemas.directory import (
    BusinessUnitCreate,
    BusinessUnitPublic,
    SupplierCreate,
    SupplierPublic,
)

business_units = APIRouter(prefix="/business-units", tags=["business units"], responses=ERRORS)
suppliers = APIRouter(prefix="/suppliers", tags=["suppliers"], responses=ERRORS)


@business_units.post("", status_code=status.HTTP_201_CREATED)
def create_business_unit(
    body: BusinessUnitCreate, context: ContextDep, user: CurrentUser
) -> BusinessUnitPublic:
    """Create a business unit (group admins)."""
    return BusinessUnitPublic(**context.db.run_write(
        lambda s: directory.create_business_unit(s, user, body.code, body.name)))


@business_units.get("")
def list_business_units(context: ContextDep, user: CurrentUser) -> list[BusinessUnitPublic]:
    with context.db.read() as session:
        return [BusinessUnitPublic(**r) for r in directory.list_business_units(session)]


@suppliers.post("", status_code=status.HTTP_201_CREATED)
def create_supplier(body: SupplierCreate, context: ContextDep, user: CurrentUser) -> SupplierPublic:
    """Register an approved supplier (admins, procurement); emits ``supplier.approved``."""
    return SupplierPublic(**context.db.run_write(
        lambda s: directory.create_supplier(s, user, body.id, body.name, body.credit_code)))


@suppliers.get("")
def list_suppliers(
    context: ContextDep, user: CurrentUser, page: PageDep,
    q: Annotated[str | None, Query(max_length=100, description="name contains")] = None,
    bank_account: Annotated[str | None, Query(
        max_length=60, description="exact bank account (admins, procurement, finance); "
                                   "matched by its keyed hash")] = None,
) -> Page[SupplierPublic]:
    """Suppliers (bank accounts masked); a supplier account sees only itself."""
    with context.db.read() as session:
        result = directory.list_suppliers(session, user, page, q, bank_account)
    return Page[SupplierPublic](**result.__dict__)


@suppliers.get("/{supplier_id}")
def get_supplier(supplier_id: str, context: ContextDep, user: CurrentUser) -> SupplierPublic:
    """One supplier (a supplier account sees only itself)."""
    with context.db.read() as session:
        return SupplierPublic(**directory.get_supplier(session, user, supplier_id))
