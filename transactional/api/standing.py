"""``/suppliers/{id}/standing`` and ``/suppliers/{id}/overrides``: the elimination list in force
for one supplier, and procurement's four-eyes overrides of it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.standing import OverrideCreate, OverridePublic, SupplierStandingPublic
from transactional.standing import overrides
from transactional.standing.status import supplier_standing

router = APIRouter(prefix="/suppliers", tags=["suppliers"], responses=ERRORS)
SupplierId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/{supplier_id}/standing")
def get_standing(supplier_id: SupplierId, context: ContextDep, user: CurrentUser) -> SupplierStandingPublic:
    """Whether the supplier may receive new orders: on the elimination list in force or not,
    its reason and weakest metrics, the list's version and age, overrides. A supplier sees
    its own standing only; procurement, finance and admins see any."""
    with context.db.read() as session:
        return SupplierStandingPublic(**supplier_standing(session, user, supplier_id, context.policy))


@router.post("/{supplier_id}/overrides", status_code=status.HTTP_201_CREATED)
def request_override(supplier_id: SupplierId, body: OverrideCreate, context: ContextDep,
                     user: CurrentUser) -> OverridePublic:
    """Procurement asks to exempt the supplier from enforcement for its business unit (a group
    admin: group-wide) until ``expires_at`` (audited); it takes effect once a finance user or
    an admin of that unit, other than the requester, confirms it."""
    return OverridePublic(**context.db.run_write(lambda s: overrides.request_override(
        s, user, supplier_id, reason=body.reason, expires_at=body.expires_at)))


@router.post("/{supplier_id}/overrides/{override_id}/confirm", responses={409: CONFLICT})
def confirm_override(supplier_id: SupplierId, override_id: Id, context: ContextDep,
                     user: CurrentUser) -> OverridePublic:
    """Finance or an admin of the override's unit, not the requester, confirms a pending
    override (audited); another unit's override is 404."""
    return OverridePublic(**context.db.run_write(
        lambda s: overrides.confirm_override(s, user, supplier_id, override_id)))


@router.post("/{supplier_id}/overrides/{override_id}/revoke", responses={409: CONFLICT})
def revoke_override(supplier_id: SupplierId, override_id: Id, context: ContextDep,
                    user: CurrentUser) -> OverridePublic:
    """End an override before it expires (procurement, finance, admin of its unit; audited)."""
    return OverridePublic(**context.db.run_write(
        lambda s: overrides.revoke_override(s, user, supplier_id, override_id)))
