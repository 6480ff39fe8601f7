"""Open, read and close a sourcing event.

Who sees an event: staff (buyer, procurement, finance, admin) of its business unit, and the
suppliers invited to it (without the other invitees or the award rules); anyone else gets
404. Procurement or an admin of the unit opens and closes it; closing is refused before the
closing time (closing early would let procurement read bids while others may still bid).
Closing is what unseals the bids: it puts every final bid on the outbox.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit
from transactional.core.events import emit
from transactional.core.paging import fetch_page
from transactional.core.policy import CommercePolicy
from transactional.db.tables.catalogue import skus, warehouses
from transactional.db.tables.identity import suppliers
from transactional.db.tables.tendering import (
    sourcing_bids,
    sourcing_event_lines,
    sourcing_events,
    sourcing_invitations,
)
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal, Role, not_found

STAFF = (Role.BUYER, Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)
MAX_LINES = 500
MAX_INVITEES = 200


class BiddingClosedError(ConflictError):
    """A bid on an event past its closing time or no longer open (HTTP 409)."""

    code = "bidding_closed"


def bidding_open(event: Any, now: dt.datetime) -> bool:
    """Whether ``event`` still accepts bids at ``now``."""
    return event.status == "open" and now < event.closes_at


def sealed(event: Any) -> bool:
    """Whether the bids of ``event`` are sealed (only their own supplier may read them)."""
    return event.status == "open"


def is_invited(session: Session, event_id: int, supplier_id: str | None) -> bool:
    """Whether ``supplier_id`` is invited to the event."""
    if supplier_id is None:
        return False
    return session.execute(select(sourcing_invitations.c.event_id).where(
        sourcing_invitations.c.event_id == event_id,
        sourcing_invitations.c.supplier_id == supplier_id)).first() is not None


def visible_event(session: Session, actor: Principal, event_id: int, *,
                  for_update: bool = False) -> Any:
    """The event row if ``actor`` may see it, else 404 (absent and not-yours look the same)."""
    query = select(sourcing_events).where(sourcing_events.c.id == event_id)
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).first()
    if row is None:
        raise not_found("sourcing_event", event_id)
    if actor.role is Role.SUPPLIER:
        if not is_invited(session, event_id, actor.supplier_id):
            raise not_found("sourcing_event", event_id)
    elif not actor.can_see_business_unit(row.business_unit):
        raise not_found("sourcing_event", event_id)
    return row


def event_lines(session: Session, event_id: int) -> list[Any]:
    """The event's lines in line order."""
    return session.execute(select(sourcing_event_lines).where(
        sourcing_event_lines.c.event_id == event_id).order_by(sourcing_event_lines.c.line_no)).all()


def invitations(session: Session, event_id: int) -> list[Any]:
    """The event's invitations, by supplier id."""
    return session.execute(select(sourcing_invitations).where(
        sourcing_invitations.c.event_id == event_id)
        .order_by(sourcing_invitations.c.supplier_id)).all()


def _line_json(row: Any) -> dict[str, Any]:
    return {"line_no": row.line_no, "sku_id": row.sku_id, "item": row.item,
            "specification": row.specification, "quantity": row.quantity,
            "need_by": row.need_by, "delivery_warehouse_id": row.delivery_warehouse_id}


def event_json(session: Session, actor: Principal, row: Any) -> dict[str, Any]:
    """The public form of an event for ``actor`` (suppliers: no other invitees, no rules)."""
    out: dict[str, Any] = {
        "id": row.id, "business_unit": row.business_unit, "title": row.title,
        "status": row.status, "currency": row.currency, "closes_at": row.closes_at,
        "created_at": row.created_at, "closed_at": row.closed_at,
        "lines": [_line_json(r) for r in event_lines(session, row.id)]}
    if actor.role is Role.SUPPLIER:
        out["invited"] = [actor.supplier_id]
        out["rules"] = None
    else:
        out["invited"] = [r.supplier_id for r in invitations(session, row.id)]
        out["rules"] = row.rules
        out["created_by"] = row.created_by
    return out


def _check_lines(session: Session, lines: list[dict[str, Any]], today: dt.date) -> None:
    if not 1 <= len(lines) <= MAX_LINES:
        raise ValidationFailedError(f"an event needs 1 to {MAX_LINES} lines")
    for i, line in enumerate(lines):
        where = f"lines[{i}]"
        if line.get("sku_id") is None and not (line.get("item") or "").strip():
            raise ValidationFailedError(f"{where}: give a sku_id or a free-text item")
        if line.get("sku_id") is not None and session.execute(
                select(skus.c.id).where(skus.c.id == line["sku_id"])).first() is None:
            raise ValidationFailedError(f"{where}: unknown sku_id {line['sku_id']}")
        if to_decimal(line["quantity"]) <= 0:
            raise ValidationFailedError(f"{where}: quantity must be > 0")
        if line["need_by"] < today:
            raise ValidationFailedError(f"{where}: need_by {line['need_by']} is in the past")
        wh = line.get("delivery_warehouse_id")
        if wh is not None and session.execute(
                select(warehouses.c.id).where(warehouses.c.id == wh)).first() is None:
            raise ValidationFailedError(f"{where}: unknown delivery_warehouse_id {wh}")


def _check_rules(rules: dict[str, Any]) -> dict[str, Any]:
    max_share = rules.get("max_share")
    if max_share is not None and not Decimal(0) < to_decimal(max_share) <= 1:
        raise ValidationFailedError("rules.max_share must be in (0, 1]")
    max_suppliers = rules.get("max_suppliers")
    if max_suppliers is not None and max_suppliers < 1:
        raise ValidationFailedError("rules.max_suppliers must be >= 1")
    return {"max_suppliers": max_suppliers,
            "max_share": None if max_share is None else str(to_decimal(max_share)),
            "min_score": rules.get("min_score"),
            "exclude_suspended": bool(rules.get("exclude_suspended", True))}


def open_event(session: Session, actor: Principal, body: dict[str, Any],
               policy: CommercePolicy) -> dict[str, Any]:
    """Open an event for the caller's unit (procurement, admin of a unit).

    ``body``: ``title``, ``closes_at`` (aware, future), ``lines`` (``sku_id`` or ``item`` +
    ``specification``, ``quantity``, ``need_by``, ``delivery_warehouse_id``), ``invited``
    (``[{supplier_id, score}]``), ``rules``.

    Raises:
        ForbiddenError: another role. ValidationFailedError: a bad line, supplier or rule.
    """
    actor.require(Role.PROCUREMENT, Role.ADMIN)
    if actor.business_unit is None:
        raise ValidationFailedError("a sourcing event belongs to a business unit: "
                                    "open it as procurement or an admin of that unit")
    now = utcnow()
    closes_at = body["closes_at"]
    if closes_at.tzinfo is None or closes_at <= now:
        raise ValidationFailedError("closes_at must be timezone-aware and in the future")
    _check_lines(session, body["lines"], now.date())
    invited = body["invited"]
    ids = [i["supplier_id"] for i in invited]
    if not 1 <= len(ids) <= MAX_INVITEES or len(set(ids)) != len(ids):
        raise ValidationFailedError(f"invite 1 to {MAX_INVITEES} distinct suppliers")
    known = set(session.execute(select(suppliers.c.id).where(suppliers.c.id.in_(ids))).scalars())
    if set(ids) - known:
        raise ValidationFailedError(f"unknown supplier(s): {', '.join(sorted(set(ids) - known))}")
    rules = _check_rules(body.get("rules") or {})
    event_id = session.execute(insert(sourcing_events).values(
        business_unit=actor.business_unit, title=body["title"].strip()[:200], status="open",
        currency=policy.group_currency, closes_at=closes_at, rules=rules,
        created_by=actor.user_id, created_at=now).returning(sourcing_events.c.id)).scalar_one()
    session.execute(insert(sourcing_event_lines), [
        {"event_id": event_id, "line_no": n, "sku_id": line.get("sku_id"),
         "item": (line.get("item") or None), "specification": line.get("specification"),
         "quantity": to_decimal(line["quantity"]), "need_by": line["need_by"],
         "delivery_warehouse_id": line.get("delivery_warehouse_id")}
        for n, line in enumerate(body["lines"], start=1)])
    session.execute(insert(sourcing_invitations), [
        {"event_id": event_id, "supplier_id": i["supplier_id"], "score": i.get("score")}
        for i in invited])
    row = visible_event(session, actor, event_id)
    out = event_json(session, actor, row)
    audit.record(session, actor, "sourcing_event.open", "sourcing_event", event_id,
                 business_unit=actor.business_unit,
                 details={"lines": len(body["lines"]), "invited": ids})
    emit(session, "sourcing_event.opened", "sourcing_event", event_id, out,
         business_unit=actor.business_unit)
    return out


def get_event(session: Session, actor: Principal, event_id: int) -> dict[str, Any]:
    """One event as ``actor`` may see it (404 outside scope)."""
    return event_json(session, actor, visible_event(session, actor, event_id))


def list_events(session: Session, actor: Principal, page: PageRequest,
                status: str | None = None) -> Page[dict[str, Any]]:
    """Events the caller may see, newest first (suppliers: those it is invited to). Never
    carries bids."""
    query = select(sourcing_events).order_by(sourcing_events.c.id.desc())
    if actor.role is Role.SUPPLIER:
        query = query.where(sourcing_events.c.id.in_(
            select(sourcing_invitations.c.event_id).where(
                sourcing_invitations.c.supplier_id == (actor.supplier_id or ""))))
    elif not actor.is_group_admin:
        query = query.where(sourcing_events.c.business_unit == (actor.business_unit or ""))
    if status is not None:
        query = query.where(sourcing_events.c.status == status)
    rows, total = fetch_page(session, query, page)
    return Page[dict[str, Any]](items=[event_json(session, actor, r) for r in rows], total=total,
                limit=page.limit, offset=page.offset)


def bid_json(row: Any) -> dict[str, Any]:
    """The full form of a bid (only ever shown to its supplier, or to staff after closing)."""
    return {"id": row.id, "event_id": row.event_id, "supplier_id": row.supplier_id,
            "revision": row.revision, "currency": row.currency, "valid_until": row.valid_until,
            "lines": row.lines, "bundles": row.bundles, "submitted_at": row.submitted_at,
            "updated_at": row.updated_at}


def close_event(session: Session, actor: Principal, event_id: int) -> dict[str, Any]:
    """Close bidding (procurement, admin of the unit) once the closing time has passed: the
    bids are unsealed and each goes on the outbox (``sourcing_bid.submitted``).

    Raises:
        ConflictError: ``event_not_open`` (closed already), ``event_not_due`` (before
            ``closes_at``).
    """
    actor.require(Role.PROCUREMENT, Role.ADMIN)
    row = visible_event(session, actor, event_id, for_update=True)
    now = utcnow()
    if row.status != "open":
        raise ConflictError(f"sourcing event {event_id} is {row.status}, not open",
                            code="event_not_open")
    if now < row.closes_at:
        raise ConflictError(
            f"sourcing event {event_id} closes at {row.closes_at.isoformat()}: bids stay sealed "
            "until then", code="event_not_due", details={"closes_at": row.closes_at.isoformat()})
    session.execute(update(sourcing_events).where(sourcing_events.c.id == event_id)
                    .values(status="closed", closed_by=actor.user_id, closed_at=now))
    bids = session.execute(select(sourcing_bids).where(sourcing_bids.c.event_id == event_id)
                           .order_by(sourcing_bids.c.id)).all()
    for bid in bids:
        emit(session, "sourcing_bid.submitted", "sourcing_bid", bid.id, bid_json(bid),
             business_unit=row.business_unit, supplier_id=bid.supplier_id)
    audit.record(session, actor, "sourcing_event.close", "sourcing_event", event_id,
                 business_unit=row.business_unit, details={"bids": len(bids)})
    emit(session, "sourcing_event.closed", "sourcing_event", event_id,
         {"id": event_id, "closed_at": now, "bids": len(bids)}, business_unit=row.business_unit)
    return get_event(session, actor, event_id)
