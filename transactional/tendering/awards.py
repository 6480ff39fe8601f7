"""The award of a closed sourcing event: computed exactly, approved by a second person above
the limit, told to every bidder, and read back as per-supplier lines for contracts.

``propose_award`` (procurement, admin of the unit) tabulates the bids, solves the award
(``models.sourcing.award``: all-units tiers, freight, bundle and spend discounts, the event's
rules; exact MILP) and stores it with its explanation. A total above
``CommercePolicy.sourcing_award_limit`` (``OLTP__SOURCING_AWARD_APPROVAL_LIMIT``, group
currency) waits in ``pending_approval`` until ``approve_award`` by someone other than the
user who computed it (``policy.require_checker``, ``sourcing_award.approve``; also a
database ``CHECK``); otherwise it is approved at once. On approval every bidder gets a
``sourcing_bid.outcome`` event (its own rank, whether it won, its own awarded lines only).

Rank: winners first, by awarded gross (largest first); then the others by their price index
— the mean over the lines they quoted of landed unit cost ÷ the line's lowest usable landed
unit cost (excluded bid lines count as the line's dearest usable cost × 2); ties by supplier id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from models.sourcing.award import award as solve_award
from transactional.core import audit
from transactional.core.events import emit
from transactional.core.jsonable import jsonable
from transactional.core.policy import Action, CommercePolicy, authorize, require_checker
from transactional.db.tables.tendering import sourcing_awards, sourcing_bids, sourcing_events
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, NotFoundError
from transactional.domain.principal import Principal, Role, not_found
from transactional.tendering.events import event_lines, visible_event
from transactional.tendering.tabulation import line_key, tabulate, tender

_SCALE = Decimal("0.0001")


def _money(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(_SCALE, rounding=ROUND_HALF_EVEN)


def _ranks(table: dict[str, Any], awarded_gross: dict[str, float]) -> dict[str, int]:
    index: dict[str, list[float]] = {}
    for line in table["lines"]:
        costs = [float(e["landed_unit_cost"]) for e in line["bids"] if e["excluded"] is None]
        best = min(costs, default=None)
        for e in line["bids"]:
            if best is None or best <= 0:
                ratio = 2.0
            elif e["excluded"] is None:
                ratio = float(e["landed_unit_cost"]) / best
            else:
                ratio = 2.0 * max(costs) / best
            index.setdefault(e["supplier_id"], []).append(ratio)
    bidders = sorted(index)
    order = sorted(bidders, key=lambda s: (
        s not in awarded_gross, -awarded_gross.get(s, 0.0),
        sum(index[s]) / len(index[s]), s))
    return {s: n for n, s in enumerate(order, start=1)}


def _award_row(session: Session, event_id: int, *, for_update: bool = False) -> Any:
    query = select(sourcing_awards).where(sourcing_awards.c.event_id == event_id)
    if for_update:
        query = query.with_for_update()
    return session.execute(query).first()


def propose_award(session: Session, actor: Principal, event_id: int,
                  policy: CommercePolicy, *, on: dt.date | None = None) -> dict[str, Any]:
    """Compute and store the award of a closed event (see the module docstring).

    Raises:
        ForbiddenError: not procurement / admin. NotFoundError: not in scope.
        ConflictError: ``event_not_closed`` (still open, or awarded already),
            ``award_infeasible`` (no award meets the rules: the reason says which),
            ``award_not_optimal`` (the solver's time limit was reached).
    """
    authorize(actor, Action.AWARD_PROPOSE)
    event = visible_event(session, actor, event_id, for_update=True)
    if event.status != "closed":
        raise ConflictError(f"sourcing event {event_id} is {event.status}: an award needs a "
                            "closed event without one", code="event_not_closed")
    now = utcnow()
    on = on or now.date()
    table = tabulate(session, event, policy, on)
    problem = tender(session, event, table)
    result = solve_award(problem, time_limit=policy.sourcing_award_time_limit_s)
    if result.status == "infeasible":
        raise ConflictError(f"no award meets the event's rules: {result.reason}",
                            code="award_infeasible", details={"reason": result.reason})
    if result.status != "optimal":
        raise ConflictError(f"the award could not be proven optimal: {result.reason}",
                            code="award_not_optimal", details={"reason": result.reason})
    solved = result.to_dict()
    gross_by: dict[str, float] = {}
    for a in result.allocations:
        gross_by[a.supplier_id] = gross_by.get(a.supplier_id, 0.0) + a.cost
    ranks = _ranks(table, gross_by)
    line_no = {line_key(r["line_no"]): r["line_no"] for r in table["lines"]}
    for a in solved["allocations"]:
        a["line_no"] = line_no[a["sku"]]
    for u in solved["not_used"]:
        u["line_no"] = line_no[u["sku"]]
    total = _money(result.total_cost)
    needs = total > policy.sourcing_award_limit
    record = {"award": solved, "tabulation": table, "ranks": ranks,
              "limit": str(policy.sourcing_award_limit)}
    award_id = session.execute(insert(sourcing_awards).values(
        event_id=event_id, status="pending_approval" if needs else "approved", total=total,
        currency=event.currency, requires_approval=needs, result=jsonable(record),
        computed_by=actor.user_id, computed_at=now, approved_by=None, approved_at=None)
        .returning(sourcing_awards.c.id)).scalar_one()
    session.execute(update(sourcing_events).where(sourcing_events.c.id == event_id)
                    .values(status="awarded"))
    audit.record(session, actor, "sourcing_award.propose", "sourcing_event", event_id,
                 business_unit=event.business_unit,
                 details={"award_id": award_id, "total": str(total), "requires_approval": needs})
    out = award_json(_award_row(session, event_id))
    emit(session, "sourcing_award.proposed", "sourcing_award", award_id,
         {k: out[k] for k in ("id", "event_id", "status", "total", "currency",
                              "requires_approval")}, business_unit=event.business_unit)
    if not needs:
        _tell_bidders(session, event, out)
    return out


def approve_award(session: Session, actor: Principal, event_id: int) -> dict[str, Any]:
    """Approve an award waiting for approval: procurement, finance or an admin of the unit who
    did not compute it (403 ``separation_of_duties`` for the maker).

    Raises:
        ConflictError: ``award_not_pending`` (approved already, or never needed approval).
    """
    event = visible_event(session, actor, event_id)
    row = _award_row(session, event_id, for_update=True)
    if row is None:
        raise not_found("sourcing_award", event_id)
    require_checker(actor, Action.AWARD_APPROVE, row.computed_by)
    if row.status != "pending_approval":
        raise ConflictError(f"the award of event {event_id} is {row.status}, not pending",
                            code="award_not_pending")
    now = utcnow()
    session.execute(update(sourcing_awards).where(sourcing_awards.c.id == row.id)
                    .values(status="approved", approved_by=actor.user_id, approved_at=now))
    audit.record(session, actor, "sourcing_award.approve", "sourcing_event", event_id,
                 business_unit=event.business_unit,
                 details={"award_id": row.id, "computed_by": row.computed_by,
                          "total": str(row.total)})
    out = award_json(_award_row(session, event_id))
    emit(session, "sourcing_award.approved", "sourcing_award", row.id,
         {k: out[k] for k in ("id", "event_id", "status", "total", "currency", "approved_by")},
         business_unit=event.business_unit)
    _tell_bidders(session, event, out)
    return out


def award_json(row: Any) -> dict[str, Any]:
    """The staff form of a stored award (allocations, explanation, tabulation, ranks)."""
    return {"id": row.id, "event_id": row.event_id, "status": row.status, "total": row.total,
            "currency": row.currency, "requires_approval": row.requires_approval,
            "computed_by": row.computed_by, "computed_at": row.computed_at,
            "approved_by": row.approved_by, "approved_at": row.approved_at, **row.result}


def _outcome(award: dict[str, Any], supplier_id: str) -> dict[str, Any]:
    mine = [{"line_no": a["line_no"], "quantity": a["quantity"],
             "landed_unit_cost": a["unit_price"], "tier": a["tier"]}
            for a in award["award"]["allocations"] if a["supplier_id"] == supplier_id]
    return {"event_id": award["event_id"], "supplier_id": supplier_id,
            "status": award["status"], "awarded": bool(mine),
            "rank": award["ranks"].get(supplier_id), "bidders": len(award["ranks"]),
            "lines": mine}


def _tell_bidders(session: Session, event: Any, award: dict[str, Any]) -> None:
    bidders = session.execute(select(sourcing_bids.c.supplier_id).where(
        sourcing_bids.c.event_id == event.id).order_by(sourcing_bids.c.supplier_id)).scalars()
    for supplier_id in bidders:
        emit(session, "sourcing_bid.outcome", "sourcing_event", event.id,
             _outcome(award, supplier_id), business_unit=event.business_unit,
             supplier_id=supplier_id)


def get_award(session: Session, actor: Principal, event_id: int) -> dict[str, Any]:
    """The award as the caller may see it: staff of the unit the whole award; a bidding
    supplier only its own outcome (rank, awarded lines), once approved; else 404."""
    visible_event(session, actor, event_id)
    row = _award_row(session, event_id)
    if row is None:
        raise not_found("sourcing_award", event_id)
    award = award_json(row)
    if actor.role is not Role.SUPPLIER:
        return award
    if row.status != "approved" or actor.supplier_id not in award["ranks"]:
        raise not_found("sourcing_award", event_id)
    return _outcome(award, actor.supplier_id or "")


@dataclass(frozen=True)
class AwardedLine:
    """One supplier's awarded event line, as a framework contract needs it.

    ``tiers`` are the supplier's own bid tiers (``min_qty``, ``unit_price`` in ``currency``,
    all-units) — the price agreed; ``awarded_tier`` the tier the awarded quantity reaches
    (1-based); ``landed_unit_cost`` the comparison figure in the group currency.
    """

    event_id: int
    award_id: int
    business_unit: str
    supplier_id: str
    line_no: int
    sku_id: int | None
    item: str | None
    specification: str | None
    quantity: Decimal
    currency: str
    tiers: tuple[tuple[Decimal, Decimal], ...]
    awarded_tier: int
    landed_unit_cost: Decimal
    valid_until: dt.date
    need_by: dt.date
    delivery_warehouse_id: int | None
    lead_time_days: int


def approved_award_lines(session: Session, event_id: int) -> list[AwardedLine]:
    """The approved award of ``event_id`` as per-supplier lines (by supplier, then line), for
    turning into framework contracts. No access check: callers check their own scope.

    Raises:
        NotFoundError: no award for the event.
        ConflictError: ``award_not_approved`` (waiting for its approval).
    """
    row = _award_row(session, event_id)
    if row is None:
        raise NotFoundError(f"sourcing event {event_id} has no award")
    if row.status != "approved":
        raise ConflictError(f"the award of event {event_id} is {row.status}, not approved",
                            code="award_not_approved")
    event = session.execute(select(sourcing_events).where(sourcing_events.c.id == event_id)).one()
    lines = {r.line_no: r for r in event_lines(session, event_id)}
    bids = {b.supplier_id: b for b in session.execute(
        select(sourcing_bids).where(sourcing_bids.c.event_id == event_id)).all()}
    out = []
    for a in row.result["award"]["allocations"]:
        bid = bids[a["supplier_id"]]
        quote = next(q for q in bid.lines if q["line_no"] == a["line_no"])
        line = lines[a["line_no"]]
        out.append(AwardedLine(
            event_id, row.id, event.business_unit, a["supplier_id"], a["line_no"], line.sku_id,
            line.item, line.specification, Decimal(str(a["quantity"])), bid.currency,
            tuple((Decimal(t["min_qty"]), Decimal(t["unit_price"])) for t in quote["tiers"]),
            int(a["tier"]), Decimal(str(a["unit_price"])), bid.valid_until, line.need_by,
            line.delivery_warehouse_id, int(quote["lead_time_days"])))
    return sorted(out, key=lambda x: (x.supplier_id, x.line_no))
