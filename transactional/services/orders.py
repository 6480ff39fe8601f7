"""Placing orders and moving them through their lifecycle.

:func:`place_order` is one database transaction: idempotency check, MOQ and multiple checks,
pricing by tier, the order and its lines, then routing and reservation of the stock
(``services/reservation.py``, as late as possible so the stock rows stay locked briefly),
the allocations, the idempotency record and the ``order.placed`` outbox event. Either all
of it commits or none of it does.

:func:`transition_order` applies one row of the status machine (``domain/status.py``):
lock the order row, check scope, role and state, apply the stock effect (release on cancel,
consume on ship), emit the event, audit the change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from transactional.db.fastpath import HotStatement
from transactional.db.tables import (
    offer_price_tiers,
    offers,
    order_allocations,
    order_lines,
    orders,
)
from transactional.db.types import utcnow
from transactional.domain.allocation import LineRequest
from transactional.domain.errors import ForbiddenError, ValidationFailedError
from transactional.domain.money import Money
from transactional.domain.pricing import OfferTerms, PriceTier, price_line
from transactional.domain.principal import Principal, Role
from transactional.domain.status import (
    INITIAL_STATUS,
    PLACED_EVENT,
    TRANSITIONS,
    transition_for,
)
from transactional.services import audit, idempotency, outbox, reservation
from transactional.services.order_queries import (
    allocation_json,
    line_json,
    load_order_row,
    snapshot_of,
    snapshots,
)

PLACING_ROLES = (Role.BUYER, Role.PROCUREMENT)
MAX_LINES = 100

# Built once; the hot path only binds parameters.
_LOAD_TERMS = HotStatement(
    select(offers.c.id, offers.c.supplier_id, offers.c.sku_id, offers.c.currency,
           offers.c.moq, offers.c.order_multiple, offers.c.version,
           offer_price_tiers.c.min_quantity, offer_price_tiers.c.unit_price)
    .join(offer_price_tiers, offer_price_tiers.c.offer_id == offers.c.id)
    .where(offers.c.id.in_(bindparam("ids", expanding=True)), offers.c.is_active.is_(True))
    .order_by(offers.c.id, offer_price_tiers.c.min_quantity)
)
_INSERT_ORDER = HotStatement(insert(orders).returning(orders.c.id))
_INSERT_LINES = HotStatement(insert(order_lines))
_INSERT_ALLOCATIONS = HotStatement(insert(order_allocations))


@dataclass(frozen=True)
class OrderLineRequest:
    """``quantity`` units of offer ``offer_id``."""

    offer_id: int
    quantity: int


@dataclass(frozen=True)
class OrderRequest:
    """What a buyer may say about an order (never prices, status or business unit)."""

    lines: tuple[OrderLineRequest, ...]
    ship_to_address: str | None = None
    ship_to_latitude: float | None = None
    ship_to_longitude: float | None = None
    note: str | None = None


@dataclass(frozen=True)
class PlacementResult:
    """The order snapshot, the HTTP status to answer with, and whether it was replayed."""

    order: dict
    status_code: int
    replayed: bool


def _load_terms(session: Session, offer_ids: Sequence[int]) -> dict[int, OfferTerms]:
    rows = _LOAD_TERMS.execute(session, {"ids": sorted(set(offer_ids))}).all()
    tiers: dict[int, list[PriceTier]] = {}
    first: dict[int, object] = {}
    for r in rows:
        tiers.setdefault(r.id, []).append(PriceTier(r.min_quantity, r.unit_price))
        first.setdefault(r.id, r)
    return {
        i: OfferTerms(i, r.supplier_id, r.sku_id, r.currency, r.moq, r.order_multiple,
                      tuple(tiers[i]), r.version)
        for i, r in first.items()
    }


def place_order(
    session: Session,
    actor: Principal,
    request: OrderRequest,
    *,
    idempotency_key: str,
    request_hash: str,
    idempotency_ttl: dt.timedelta = dt.timedelta(hours=24),
) -> PlacementResult:
    """Place an order for the caller's business unit, reserving its stock.

    Raises:
        ForbiddenError: the role may not place orders.
        IdempotencyInFlightError / IdempotencyMismatchError: see ``services/idempotency``.
        ValidationFailedError: unknown/inactive offer, mixed suppliers or currencies, MOQ,
            multiple, too many lines.
        OutOfStockError: not enough stock for some line (nothing reserved).
    """
    actor.require(*PLACING_ROLES)
    if not actor.business_unit:
        raise ForbiddenError("orders are placed for a business unit; this account has none")
    stored = idempotency.claim(session, actor.user_id, idempotency_key, request_hash,
                               idempotency_ttl)
    if stored is not None:
        return PlacementResult(stored.body, stored.status_code, replayed=True)
    if not request.lines or len(request.lines) > MAX_LINES:
        raise ValidationFailedError(f"an order has 1 to {MAX_LINES} lines")
    if (request.ship_to_latitude is None) != (request.ship_to_longitude is None):
        raise ValidationFailedError("ship_to latitude and longitude go together")
    terms = _load_terms(session, [line.offer_id for line in request.lines])
    missing = sorted({line.offer_id for line in request.lines} - set(terms))
    if missing:
        raise ValidationFailedError(
            f"unknown or inactive offer(s): {', '.join(map(str, missing))}",
            code="unknown_offer", details={"offer_ids": missing},
        )
    suppliers = {terms[line.offer_id].supplier_id for line in request.lines}
    currencies = {terms[line.offer_id].currency for line in request.lines}
    if len(suppliers) > 1 or len(currencies) > 1:
        raise ValidationFailedError(
            "all lines of an order must be offers of one supplier in one currency; "
            "place one order per supplier", code="mixed_order",
            details={"suppliers": sorted(suppliers), "currencies": sorted(currencies)},
        )
    supplier_id, currency = suppliers.pop(), currencies.pop()
    priced = []
    total = Money.zero(currency)
    for line_no, line in enumerate(request.lines, start=1):
        unit, amount = price_line(terms[line.offer_id], line.quantity)
        priced.append((line_no, line, terms[line.offer_id], unit, amount))
        total = total + amount
    ship_to = (
        (request.ship_to_latitude, request.ship_to_longitude)
        if request.ship_to_latitude is not None else None
    )
    now = utcnow()
    order_row = {
        "business_unit": actor.business_unit, "buyer_user_id": actor.user_id,
        "supplier_id": supplier_id, "status": INITIAL_STATUS.value, "currency": currency,
        "total_amount": total.amount, "ship_to_address": request.ship_to_address,
        "ship_to_latitude": request.ship_to_latitude,
        "ship_to_longitude": request.ship_to_longitude, "note": request.note,
        "placed_at": now, "updated_at": now, "paid_at": None, "shipped_at": None,
        "delivered_at": None, "cancelled_at": None,
    }
    # Everything that does not depend on the stock goes first: the stock rows stay locked
    # only from the reservation to the commit (on a hot SKU, that span is the throughput).
    order_id = _INSERT_ORDER.execute(session, order_row).scalar_one()
    line_rows = [
        {"order_id": order_id, "line_no": n, "offer_id": t.offer_id,
         "offer_version": t.version, "sku_id": t.sku_id, "quantity": line.quantity,
         "unit_price": unit.amount, "line_amount": amount.amount, "currency": currency}
        for n, line, t, unit, amount in priced
    ]
    _INSERT_LINES.execute(session, line_rows[0] if len(line_rows) == 1 else line_rows)
    allocations, shipping_currency = reservation.reserve(
        session, supplier_id,
        [LineRequest(n, t.sku_id, line.quantity) for n, line, t, _, _ in priced], ship_to,
    )
    alloc_rows = [
        {"order_id": order_id, "line_no": a.line_no, "warehouse_id": a.warehouse_id,
         "sku_id": a.sku_id, "quantity": a.quantity, "distance_km": float(a.distance_km),
         "unit_shipping_cost": a.unit_shipping_cost,
         "shipping_currency": shipping_currency[a.warehouse_id]}
        for a in allocations
    ]
    _INSERT_ALLOCATIONS.execute(session, alloc_rows[0] if len(alloc_rows) == 1 else alloc_rows)
    snapshot = _snapshot_from_rows(order_id, order_row, line_rows, alloc_rows)
    idempotency.remember(
        session, actor.user_id, idempotency_key, request_hash,
        idempotency.StoredResponse(201, snapshot, "order", str(order_id)),
    )
    outbox.emit(session, PLACED_EVENT, "order", order_id, snapshot,
                business_unit=actor.business_unit, supplier_id=supplier_id, json_ready=True)
    return PlacementResult(snapshot, 201, replayed=False)


def _by_warehouse(allocation: dict) -> int:
    return allocation["warehouse_id"]


def _snapshot_from_rows(order_id: int, order_row: dict, line_rows: list[dict],
                        alloc_rows: list[dict]) -> dict:
    lines = [
        line_json(line, [allocation_json(a) for a in sorted(alloc_rows, key=_by_warehouse)
                         if a["line_no"] == line["line_no"]])
        for line in line_rows
    ]
    return snapshot_of({"id": order_id, **order_row}, lines)


def transition_order(
    session: Session, actor: Principal, order_id: int, action: str, *, reason: str | None = None
) -> dict:
    """Apply ``action`` (pay, ship, deliver, cancel …) to an order.

    Raises:
        ForbiddenError: the role may never do ``action`` (403).
        NotFoundError: the order is absent or outside the caller's scope (404).
        IllegalTransitionError: not allowed from the current status (409).
    """
    spec = TRANSITIONS.get(action)
    if spec is not None and actor.role not in spec.roles:
        transition_for(action, "placed", actor.role)  # raises the ForbiddenError
    row = load_order_row(session, actor, order_id, lock=True)
    spec = transition_for(action, row.status, actor.role)
    released = reservation.apply_effect(session, order_id, spec.stock)
    now = utcnow()
    values = {"status": spec.target.value, "updated_at": now}
    if spec.timestamp_column:
        values[spec.timestamp_column] = now
    session.execute(update(orders).where(orders.c.id == order_id).values(**values))
    fresh = session.execute(select(orders).where(orders.c.id == order_id)).one()
    snapshot = snapshots(session, [fresh])[0]
    details = {"from": row.status, "to": spec.target.value, "reason": reason,
               "stock": spec.stock.value}
    audit.record(session, actor, f"order.{action}", "order", order_id,
                 business_unit=row.business_unit, details=details)
    outbox.emit(session, spec.event_type, "order", order_id,
                {**snapshot, "transition": {**details, "stock_rows": released}},
                business_unit=row.business_unit, supplier_id=row.supplier_id)
    return snapshot
