"""``/sourcing/plans``: the cheapest supplier combination for a requisition (issue #16),
solved exactly from the live offers, stored, and accepted into orders (``sourcing/plans.py``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, status
from fastapi.responses import JSONResponse

from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser
from transactional.api.idempotent import idempotent_request
from transactional.core.idempotency import MAX_KEY_LENGTH
from transactional.core.jsonable import jsonable
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.planning import PlanCreate
from transactional.sourcing import plans
from transactional.sourcing.inputs import PlanRequest, RequisitionLine

router = APIRouter(prefix="/sourcing/plans", tags=["sourcing"], responses=ERRORS)
_BASE = "/api/v1/sourcing/plans"

IdempotencyKey = Annotated[str, Header(
    alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH,
    description="Required: a retry with the same key returns the original answer and places "
                "no second set of orders.")]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_plan(body: PlanCreate, context: ContextDep, user: CurrentUser) -> JSONResponse:
    """Solve a requisition of your unit (buyer, procurement): lines (``sku_id``, ``quantity``,
    ``need_by``), optional ``ship_to``, caps (``max_suppliers``,
    ``max_suppliers_per_line``, ``max_share``) and ``min_score`` (served supplier scores;
    a supplier without one is not filtered, and the answer says which). Candidates are the active offers (tiers,
    MOQ, multiple; capacity = available stock; FX to the group currency; the router's
    per-unit freight in the landed price; lead time against ``need_by``); suspended suppliers
    are not used unless your unit holds an override. The plan is stored and returned (201)
    with ``status`` ``optimal`` (allocations, total, why each choice), ``infeasible``
    (``reason``: which line and constraint) or ``time_limit``."""
    request = PlanRequest(
        tuple(RequisitionLine(line.sku_id, line.quantity, line.need_by) for line in body.lines),
        ship_to_latitude=body.ship_to.latitude if body.ship_to else None,
        ship_to_longitude=body.ship_to.longitude if body.ship_to else None,
        max_suppliers=body.max_suppliers, max_suppliers_per_line=body.max_suppliers_per_line,
        max_share=body.max_share, min_score=body.min_score)
    with context.db.read() as session:  # read, then solve holding no transaction
        prepared = plans.prepare_plan(session, user, request, context.policy)
    plans.solve(prepared, context.policy)
    out = context.db.run_write(lambda s: plans.store_plan(s, user, prepared, context.policy))
    return JSONResponse(jsonable(out), status_code=201,
                        headers={"Location": f"{_BASE}/{out['id']}"})


@router.get("/{plan_id}")
def get_plan(plan_id: Id, context: ContextDep, user: CurrentUser) -> dict[str, Any]:
    """One plan (staff of its unit, group admins); another unit's plan: 404."""
    with context.db.read() as session:
        return jsonable(plans.get_plan(session, user, plan_id))


@router.post("/{plan_id}/accept", responses={409: CONFLICT})
def accept_plan(plan_id: Id, context: ContextDep, user: CurrentUser,
                idempotency_key: IdempotencyKey) -> dict[str, Any]:
    """Place one order per supplier of an optimal plan of your unit (buyer, procurement)
    through the normal placement path (stock reservation, risk guard, approval limits), all
    or none; idempotent by ``Idempotency-Key``. 409 ``plan_stale`` when the plan is older
    than 30 minutes or an offer changed since, ``plan_not_optimal``, ``plan_accepted``."""
    key = idempotent_request(context, idempotency_key, "POST", f"{_BASE}/{plan_id}/accept", {})
    return context.db.run_write(
        lambda s: plans.accept_plan(s, user, plan_id, key, context.policy))
