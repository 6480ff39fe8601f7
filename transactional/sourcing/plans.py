"""Sourcing plans (#16): a unit's requisition solved exactly, stored, and turned into orders.

``create_plan`` (a buyer or procurement user of a unit; the API runs its three steps
``prepare_plan`` — a read —, ``solve`` — outside any transaction, so a long solve holds no
lock — and ``store_plan`` — a write) builds the optimiser's input from the
live offers (``sourcing/inputs.py``), solves it (``models.sourcing.optimise``: exact MILP,
HiGHS) and stores the plan: ``status`` (``optimal`` / ``infeasible`` with the reason /
``time_limit``), ``total`` in the group currency (landed: tier prices converted plus the
router's per-unit freight), the allocations with their explanation, the offers not used and
why, the offers excluded before the solve, and the SHA-256 hash of the input. An infeasible
requisition is **not** an error: the plan is stored and answered (201) with
``status: infeasible`` and ``reason``, so the buyer sees which line and which constraint.

``accept_plan`` (buyer / procurement of the plan's unit; the ``Idempotency-Key`` is required,
like orders) places one order per supplier (and currency) of an optimal plan through the
normal placement path (``ordering/placement.place_order``: MOQ and multiple checks, tier
pricing, stock reservation, the risk guard, approval limits, suspension enforcement) in one
transaction: all orders or none. Refused with 409 ``plan_stale`` when the plan is older than
:data:`PLAN_TTL` or when any candidate offer changed since (version, activation, a new
offer), 409 ``plan_not_optimal`` for an infeasible / time-limited plan, 409
``plan_accepted`` for a plan accepted already under another key. Another unit's plan: 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models.sourcing import optimise
from transactional.core import audit
from transactional.core.events import emit
from transactional.core.idempotency import IdempotentRequest, run_once
from transactional.core.jsonable import jsonable
from transactional.core.policy import CommercePolicy
from transactional.db.tables.planning import sourcing_plans
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ForbiddenError
from transactional.domain.principal import Principal, Role, not_found
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order
from transactional.sourcing.inputs import (
    BuiltInput,
    PlanRequest,
    build_input,
    current_fingerprint,
    validate,
)

#: A plan older than this is refused at acceptance (prices, stock and the list move on).
PLAN_TTL = dt.timedelta(minutes=30)
PLANNING_ROLES = (Role.BUYER, Role.PROCUREMENT)
READ_ROLES = (Role.BUYER, Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)
_SCALE = Decimal("0.0001")


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(_SCALE, rounding=ROUND_HALF_EVEN)


def _require_unit(actor: Principal) -> str:
    actor.require(*PLANNING_ROLES)
    if not actor.business_unit:
        raise ForbiddenError("plans are made for a business unit; this account has none")
    return actor.business_unit


def _requisition_json(request: PlanRequest) -> dict[str, Any]:
    return {"lines": [{"sku_id": line.sku_id, "quantity": line.quantity,
                       "need_by": line.need_by.isoformat()} for line in request.lines],
            "ship_to": None if request.ship_to_latitude is None else
            {"latitude": request.ship_to_latitude, "longitude": request.ship_to_longitude},
            "max_suppliers": request.max_suppliers,
            "max_suppliers_per_line": request.max_suppliers_per_line,
            "max_share": request.max_share, "min_score": request.min_score}


@dataclass
class Prepared:
    """A requisition read and solved, not yet stored (see :func:`prepare_plan`)."""

    unit: str
    request: PlanRequest
    built: BuiltInput
    created_at: dt.datetime
    plan: dict[str, Any] | None = None


def prepare_plan(session: Session, actor: Principal, request: PlanRequest,
                 policy: CommercePolicy) -> Prepared:
    """Check the caller and the requisition and build the optimiser's input (a read).

    Raises:
        ForbiddenError: not buyer / procurement, or no business unit.
        ValidationFailedError: malformed requisition, unknown SKU.
    """
    unit = _require_unit(actor)
    now = utcnow()
    validate(request, now.date())
    return Prepared(unit, request, build_input(session, unit, request, policy, now.date()), now)


def solve(prepared: Prepared, policy: CommercePolicy, *,
          time_limit: float | None = None) -> Prepared:
    """Solve the prepared input (no database: run it outside any transaction)."""
    built = prepared.built
    if built.empty_lines:
        plan: dict[str, Any] = {"status": "infeasible", "total_cost": 0, "allocations": [],
                                "suppliers_used": [], "reason": "; ".join(built.empty_lines),
                                "lines": [], "not_used": []}
    else:
        plan = optimise(built.requisition,
                        time_limit=time_limit or policy.sourcing_award_time_limit_s).to_dict()
    candidates = {str(c["offer_id"]): c for c in built.candidates}
    for a in plan["allocations"]:
        source = candidates[a["offer_id"]]
        a["offer_id"] = int(a["offer_id"])
        a["sku_id"] = int(a.pop("sku"))
        a["currency"] = source["currency"]
        a["freight_per_unit"] = source["freight"]["per_unit"]
        a["unit_price_landed"] = a.pop("unit_price")
    for u in plan["not_used"]:
        u["offer_id"] = int(u["offer_id"])
        u["sku_id"] = int(u.pop("sku"))
    for entry in plan["lines"]:
        entry["sku_id"] = int(entry.pop("sku"))
    prepared.plan = plan
    return prepared


def store_plan(session: Session, actor: Principal, prepared: Prepared,
               policy: CommercePolicy) -> dict[str, Any]:
    """Store a solved plan, audit it and emit ``sourcing_plan.created`` (a write)."""
    built, plan, unit = prepared.built, prepared.plan, prepared.unit
    if plan is None:
        raise ValueError("store_plan needs a solved plan (call solve first)")
    result = {**plan, "excluded": built.excluded, "scores": built.scores,
              "suspended_suppliers": built.suspended,
              "fixed_cost": "0 per supplier: freight is per unit (the router's formula) and "
                            "is in the landed unit price"}
    status = plan["status"]
    total = _money(plan["total_cost"]) if status != "infeasible" else None
    digest = built.digest()
    plan_id = session.execute(insert(sourcing_plans).values(
        business_unit=unit, status=status, total=total, currency=policy.group_currency,
        requisition=_requisition_json(prepared.request), input=jsonable(built.document()),
        input_hash=digest, result=jsonable(result), created_by=actor.user_id,
        created_at=prepared.created_at, accepted_by=None, accepted_at=None, order_ids=None)
        .returning(sourcing_plans.c.id)).scalar_one()
    audit.record(session, actor, "sourcing_plan.create", "sourcing_plan", plan_id,
                 business_unit=unit, details={"status": status, "total": str(total),
                                              "input_hash": digest})
    out = plan_json(_row(session, plan_id))
    emit(session, "sourcing_plan.created", "sourcing_plan", plan_id,
         {k: out[k] for k in ("id", "business_unit", "status", "total", "currency",
                              "suppliers_used", "input_hash")}, business_unit=unit)
    return out


def create_plan(session: Session, actor: Principal, request: PlanRequest,
                policy: CommercePolicy, *, time_limit: float | None = None) -> dict[str, Any]:
    """Prepare, solve and store in one session (the API reads, solves outside any
    transaction, then writes: :func:`prepare_plan`, :func:`solve`, :func:`store_plan`)."""
    prepared = solve(prepare_plan(session, actor, request, policy), policy,
                     time_limit=time_limit)
    return store_plan(session, actor, prepared, policy)


def _row(session: Session, plan_id: int, *, for_update: bool = False) -> Any:
    query = select(sourcing_plans).where(sourcing_plans.c.id == plan_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def plan_json(row: Any) -> dict[str, Any]:
    """The answer form of a stored plan."""
    result = dict(row.result)
    result["solve_status"] = result.pop("status")
    return {**result, "id": row.id, "business_unit": row.business_unit, "status": row.status,
            "total": row.total, "currency": row.currency, "requisition": row.requisition,
            "input_hash": row.input_hash, "created_by": row.created_by,
            "created_at": row.created_at, "accepted_by": row.accepted_by,
            "accepted_at": row.accepted_at, "order_ids": row.order_ids,
            "expires_at": row.created_at + PLAN_TTL}


def _visible(session: Session, actor: Principal, plan_id: int, *,
             for_update: bool = False) -> Any:
    row = _row(session, plan_id, for_update=for_update)
    if row is None or actor.role is Role.SUPPLIER or not (
            actor.is_group_admin or row.business_unit == actor.business_unit):
        raise not_found("sourcing_plan", plan_id)
    return row


def get_plan(session: Session, actor: Principal, plan_id: int) -> dict[str, Any]:
    """One plan: staff of its unit (buyer, procurement, finance, admin) or a group admin;
    anyone else 404."""
    actor.require(*READ_ROLES, Role.SUPPLIER)
    return plan_json(_visible(session, actor, plan_id))


def _stale_reason(session: Session, row: Any, now: dt.datetime) -> tuple[str, dict] | None:
    age = now - row.created_at
    if age > PLAN_TTL:
        return ((f"the plan is {int(age.total_seconds() // 60)} minutes old; plans older than "
                f"{int(PLAN_TTL.total_seconds() // 60)} minutes must be recomputed"),
                {"age_seconds": int(age.total_seconds()), "ttl_seconds": int(PLAN_TTL.total_seconds())})
    then = row.input["fingerprint"]
    sku_ids = [line["sku_id"] for line in row.requisition["lines"]]
    current = current_fingerprint(session, sku_ids)
    changed = sorted(int(k) for k in set(then) | set(current) if then.get(k) != current.get(k))
    if changed:
        details = {"offer_ids": changed, "then": {str(k): then.get(str(k)) for k in changed},
                   "now": {str(k): current.get(str(k)) for k in changed}}
        return ((f"offer(s) {', '.join(map(str, changed))} changed since the plan was computed "
                "(new version, deactivated or new): recompute the plan"), details)
    return None


def accept_plan(session: Session, actor: Principal, plan_id: int,
                idempotency: IdempotentRequest, policy: CommercePolicy) -> dict[str, Any]:
    """Turn an optimal plan into one order per supplier, once per key (module docstring).

    Raises:
        ForbiddenError: not buyer / procurement. NotFoundError: not the caller's unit.
        ConflictError: ``plan_not_optimal``, ``plan_accepted``, ``plan_stale``; and what
            placement raises (``out_of_stock``, ``supplier_suspended``, ``mixed_order`` …).
    """
    unit = _require_unit(actor)

    def accept() -> tuple[dict[str, Any], str]:
        row = _visible(session, actor, plan_id, for_update=True)
        if row.status == "accepted":
            raise ConflictError(f"plan {plan_id} was accepted already (orders "
                                f"{', '.join(map(str, row.order_ids or []))})",
                                code="plan_accepted", details={"order_ids": row.order_ids})
        if row.status != "optimal":
            raise ConflictError(f"plan {plan_id} is {row.status}: only an optimal plan becomes "
                                "orders", code="plan_not_optimal",
                                details={"reason": row.result.get("reason")})
        now = utcnow()
        stale = _stale_reason(session, row, now)
        if stale is not None:
            raise ConflictError(stale[0], code="plan_stale", details=stale[1])
        groups: dict[tuple[str, str], list[OrderLineRequest]] = {}
        for a in row.result["allocations"]:
            groups.setdefault((a["supplier_id"], a["currency"]), []).append(
                OrderLineRequest(int(a["offer_id"]), round(float(a["quantity"]))))
        ship_to = row.requisition.get("ship_to") or {}
        placed = []
        for (supplier_id, currency), lines in sorted(groups.items()):
            request = OrderRequest(tuple(lines), ship_to_latitude=ship_to.get("latitude"),
                                   ship_to_longitude=ship_to.get("longitude"),
                                   note=f"sourcing plan {plan_id}")
            key = IdempotentRequest.of(f"{idempotency.key}/plan-{plan_id}/{supplier_id}/{currency}",
                                       "POST", "/api/v1/orders",
                                       {"plan_id": plan_id, "supplier_id": supplier_id},
                                       idempotency.ttl)
            order = place_order(session, actor, request, key, policy=policy).order
            placed.append({"order_id": order["id"], "supplier_id": supplier_id,
                           "status": order["status"], "total_amount": order["total_amount"],
                           "currency": order["currency"]})
        order_ids = [p["order_id"] for p in placed]
        session.execute(update(sourcing_plans).where(sourcing_plans.c.id == plan_id).values(
            status="accepted", accepted_by=actor.user_id, accepted_at=now,
            order_ids=order_ids))
        audit.record(session, actor, "sourcing_plan.accept", "sourcing_plan", plan_id,
                     business_unit=unit, details={"order_ids": order_ids,
                                                  "total": str(row.total)})
        out = {**plan_json(_row(session, plan_id)), "orders": placed}
        emit(session, "sourcing_plan.accepted", "sourcing_plan", plan_id,
             {"id": plan_id, "business_unit": unit, "total": row.total,
              "currency": row.currency, "orders": placed}, business_unit=unit)
        return jsonable(out), str(plan_id)

    return run_once(session, actor.user_id, idempotency, "sourcing_plan", accept).body

