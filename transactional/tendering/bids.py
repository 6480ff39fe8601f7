"""Bids: submitted and revised by invited suppliers until closing, sealed until then.

A bid holds, per event line it quotes: all-units price ``tiers`` (``min_qty``, ``unit_price``),
``moq``, ``multiple``, ``capacity``, ``lead_time_days`` and optionally ``ship_from_warehouse_id``
(one of the supplier's own warehouses: freight to the delivery warehouse is then costed); the
bid's ``currency`` and ``valid_until``; and ``bundles``: ``{"kind": "lines", "line_nos",
"discount_pct"}`` (a discount if awarded every one of those lines) or ``{"kind": "spend",
"min_spend", "discount_pct"}`` (a discount on the whole award above a gross spend in the bid
currency). One bid per supplier and event, revised in place (``revision`` + 1).

**Sealed**: until the event is closed a bid is readable by its own supplier only — staff
lists are empty and a staff read of one bid is 404; submitting or revising writes nothing to
the outbox (the bids go there when the event closes, :func:`events.close_event`), and the
audit row carries no prices. After closing, staff of the unit read every bid; a supplier only
ever reads its own.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit
from transactional.core.paging import fetch_page
from transactional.db.tables.catalogue import warehouses
from transactional.db.tables.tendering import sourcing_bids
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal, Role, not_found
from transactional.tendering.events import (
    BiddingClosedError,
    bid_json,
    bidding_open,
    event_lines,
    sealed,
    visible_event,
)

MAX_TIERS = 10
MAX_BUNDLES = 20


def _dec(value: Any, where: str, *, positive: bool = False) -> Decimal:
    amount = to_decimal(value)
    if amount < 0 or (positive and amount == 0):
        raise ValidationFailedError(f"{where} must be {'> 0' if positive else '>= 0'}")
    return amount


def _check_line(session: Session, actor: Principal, line: dict[str, Any], where: str) -> dict[str, Any]:
    tiers = line["tiers"]
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise ValidationFailedError(f"{where}.tiers: 1 to {MAX_TIERS} tiers")
    clean = sorted(((_dec(t["min_qty"], f"{where}.tiers.min_qty"),
                     _dec(t["unit_price"], f"{where}.tiers.unit_price", positive=True))
                    for t in tiers), key=lambda t: t[0])
    if len({t[0] for t in clean}) != len(clean):
        raise ValidationFailedError(f"{where}.tiers: two tiers start at the same min_qty")
    wh = line.get("ship_from_warehouse_id")
    if wh is not None and session.execute(select(warehouses.c.id).where(
            warehouses.c.id == wh, warehouses.c.supplier_id == actor.supplier_id)).first() is None:
        raise ValidationFailedError(f"{where}: ship_from_warehouse_id {wh} is not one of yours")
    return {"line_no": line["line_no"],
            "tiers": [{"min_qty": str(q), "unit_price": str(p)} for q, p in clean],
            "moq": str(_dec(line.get("moq", 0), f"{where}.moq")),
            "multiple": str(_dec(line.get("multiple", 1), f"{where}.multiple", positive=True)),
            "capacity": str(_dec(line["capacity"], f"{where}.capacity", positive=True)),
            "lead_time_days": int(line["lead_time_days"]),
            "ship_from_warehouse_id": wh}


def _check_bundles(bundles: list[dict[str, Any]], line_nos: set[int]) -> list[dict[str, Any]]:
    if len(bundles) > MAX_BUNDLES:
        raise ValidationFailedError(f"at most {MAX_BUNDLES} bundle conditions")
    out = []
    for i, b in enumerate(bundles):
        where = f"bundles[{i}]"
        pct = to_decimal(b["discount_pct"])
        if not Decimal(0) < pct < 100:
            raise ValidationFailedError(f"{where}.discount_pct must be in (0, 100)")
        if b["kind"] == "lines":
            nos = sorted(set(b.get("line_nos") or []))
            if len(nos) < 2 or not set(nos) <= line_nos:
                raise ValidationFailedError(
                    f"{where}: a lines bundle names two or more lines this bid quotes")
            out.append({"kind": "lines", "line_nos": nos, "discount_pct": str(pct)})
        else:
            spend = to_decimal(b.get("min_spend") or 0)
            if spend <= 0:
                raise ValidationFailedError(f"{where}: a spend bundle needs min_spend > 0")
            out.append({"kind": "spend", "min_spend": str(spend), "discount_pct": str(pct)})
    lines_total = sum(Decimal(b["discount_pct"]) for b in out if b["kind"] == "lines")
    spend_best = max((Decimal(b["discount_pct"]) for b in out if b["kind"] == "spend"),
                     default=Decimal(0))
    if lines_total + spend_best >= 100:
        raise ValidationFailedError("the bundle discounts of a bid add up to 100% or more")
    return out


def submit_bid(session: Session, actor: Principal, event_id: int,
               body: dict[str, Any]) -> dict[str, Any]:
    """Submit or revise the caller's bid (an invited supplier) while bidding is open.

    Raises:
        NotFoundError: not a supplier invited to the event (404, as for any unseen event).
        BiddingClosedError: 409 ``bidding_closed`` with the closing time and the status.
        ValidationFailedError: an unknown line, bad tiers, a foreign warehouse, bad bundles.
    """
    if actor.role is not Role.SUPPLIER:
        actor.require(Role.SUPPLIER)
    event = visible_event(session, actor, event_id, for_update=True)
    now = utcnow()
    if not bidding_open(event, now):
        reason = ("the event's closing time has passed" if event.status == "open"
                  else f"the event is {event.status}")
        raise BiddingClosedError(
            f"sourcing event {event_id} closed at {event.closes_at.isoformat()}: {reason}; "
            "no bid is accepted after closing",
            details={"closes_at": event.closes_at.isoformat(), "status": event.status})
    known = {r.line_no: r for r in event_lines(session, event_id)}
    lines = body["lines"]
    if not lines:
        raise ValidationFailedError("a bid quotes at least one line")
    seen: set[int] = set()
    clean = []
    for i, line in enumerate(lines):
        if line["line_no"] not in known or line["line_no"] in seen:
            raise ValidationFailedError(f"lines[{i}]: unknown or repeated line_no {line['line_no']}")
        seen.add(line["line_no"])
        clean.append(_check_line(session, actor, line, f"lines[{i}]"))
    bundles = _check_bundles(body.get("bundles") or [], seen)
    if body["valid_until"] < event.closes_at.date():
        raise ValidationFailedError("valid_until must not be before the event's closing date")
    values = {"currency": body["currency"].upper(), "valid_until": body["valid_until"],
              "lines": sorted(clean, key=lambda x: x["line_no"]), "bundles": bundles,
              "submitted_by": actor.user_id, "updated_at": now}
    existing = session.execute(select(sourcing_bids).where(
        sourcing_bids.c.event_id == event_id,
        sourcing_bids.c.supplier_id == actor.supplier_id)).first()
    if existing is None:
        bid_id = session.execute(insert(sourcing_bids).values(
            event_id=event_id, supplier_id=actor.supplier_id, revision=1, submitted_at=now,
            **values).returning(sourcing_bids.c.id)).scalar_one()
        revision = 1
    else:
        bid_id, revision = existing.id, existing.revision + 1
        session.execute(update(sourcing_bids).where(sourcing_bids.c.id == bid_id)
                        .values(revision=revision, **values))
    # no prices in the audit row, no outbox event: the bid is sealed until closing
    audit.record(session, actor, "sourcing_bid.submit", "sourcing_event", event_id,
                 business_unit=event.business_unit, details={"revision": revision})
    row = session.execute(select(sourcing_bids).where(sourcing_bids.c.id == bid_id)).one()
    return bid_json(row)


def _may_read(actor: Principal, event: Any, bid: Any) -> bool:
    if actor.role is Role.SUPPLIER:
        return bid.supplier_id == actor.supplier_id
    return not sealed(event)


def list_bids(session: Session, actor: Principal, event_id: int,
              page: PageRequest) -> Page[dict[str, Any]]:
    """The bids the caller may read: a supplier its own; staff of the unit every bid once the
    event is closed, none before (an empty page: the count of bids is sealed too)."""
    event = visible_event(session, actor, event_id)
    query = select(sourcing_bids).where(sourcing_bids.c.event_id == event_id) \
        .order_by(sourcing_bids.c.id)
    if actor.role is Role.SUPPLIER:
        query = query.where(sourcing_bids.c.supplier_id == actor.supplier_id)
    elif sealed(event):
        return Page[dict[str, Any]](items=[], total=0, limit=page.limit, offset=page.offset)
    rows, total = fetch_page(session, query, page)
    return Page[dict[str, Any]](items=[bid_json(r) for r in rows], total=total,
                                limit=page.limit, offset=page.offset)


def get_bid(session: Session, actor: Principal, event_id: int, bid_id: int) -> dict[str, Any]:
    """One bid: its supplier any time, staff of the unit after closing; else 404."""
    event = visible_event(session, actor, event_id)
    bid = session.execute(select(sourcing_bids).where(
        sourcing_bids.c.id == bid_id, sourcing_bids.c.event_id == event_id)).first()
    if bid is None or not _may_read(actor, event, bid):
        raise not_found("sourcing_bid", bid_id)
    return bid_json(bid)
