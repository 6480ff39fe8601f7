"""Placing an order: one database transaction from the request to the reserved stock.

:func:`place_order` runs once per idempotency key (``core/idempotency.run_once``): MOQ and
multiple checks, pricing by tier, promotions, the approval an amount above the unit's limit
needs, the order and its lines, then routing and reservation of the stock
(``ordering/reservation.py``, as late as possible so the stock rows stay locked briefly),
the allocations and the ``order.placed`` outbox event. An order naming a framework contract
is a call-off: priced at the contract and taken off its remaining quantity
(``contracts/calloffs.py``). Either all of it commits or none of it does. What happens to the order afterwards is ``ordering/lifecycle.py``'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from transactional.benefits import checkout
from transactional.catalogue import promotions
from transactional.contracts import calloffs
from transactional.core import events
from transactional.core.idempotency import IdempotentRequest, run_once
from transactional.core.policy import CommercePolicy, current_policy
from transactional.db.fastpath import HotStatement
from transactional.db.tables.catalogue import offer_price_tiers, offers, skus
from transactional.db.tables.ordering import (
    order_allocations,
    order_line_promotions,
    order_lines,
    orders,
)
from transactional.db.types import utcnow
from transactional.domain.allocation import LineRequest
from transactional.domain.errors import ForbiddenError, ValidationFailedError
from transactional.domain.money import Money
from transactional.domain.pricing import OfferTerms, PriceTier, price_line
from transactional.domain.principal import Principal, Role
from transactional.domain.promotions import AppliedPromotion, LineAmount, apply_promotions
from transactional.domain.status import PLACED_EVENT
from transactional.ordering import approvals, reservation, screening
from transactional.ordering.queries import allocation_json, applied_json, line_json, snapshot_of
from transactional.recommend import attribution
from transactional.standing import enforcement as standing

PLACING_ROLES = (Role.BUYER, Role.PROCUREMENT)
MAX_LINES = 100

# Built once; the hot path only binds parameters.
_LOAD_TERMS = HotStatement(
    select(offers.c.id, offers.c.supplier_id, offers.c.sku_id, offers.c.currency,
           offers.c.moq, offers.c.order_multiple, offers.c.version,
           offer_price_tiers.c.min_quantity, offer_price_tiers.c.unit_price,
           skus.c.category_id)
    .join(offer_price_tiers, offer_price_tiers.c.offer_id == offers.c.id)
    .join(skus, skus.c.id == offers.c.sku_id)
    .where(offers.c.id.in_(bindparam("ids", expanding=True)), offers.c.is_active.is_(True))
    .order_by(offers.c.id, offer_price_tiers.c.min_quantity)
)
_INSERT_ORDER = HotStatement(insert(orders).returning(orders.c.id))
_INSERT_LINES = HotStatement(insert(order_lines))
_INSERT_ALLOCATIONS = HotStatement(insert(order_allocations))
_INSERT_PROMOTIONS = HotStatement(insert(order_line_promotions))


@dataclass(frozen=True)
class OrderLineRequest:
    """``quantity`` units of offer ``offer_id``."""

    offer_id: int
    quantity: int
    from_recommendation: attribution.RecommendationRef | None = None


@dataclass(frozen=True)
class OrderRequest:
    """What a buyer may say about an order (never prices, status or business unit)."""

    lines: tuple[OrderLineRequest, ...]
    ship_to_address: str | None = None
    ship_to_latitude: float | None = None
    ship_to_longitude: float | None = None
    note: str | None = None
    coupon_code: str | None = None
    contract_id: int | None = None  # a call-off against this framework contract
    points_to_redeem: int | None = None  # loyalty points paying part of the order
    group_price: Decimal | None = None  # set by the group-buy settlement only, never by a buyer


@dataclass(frozen=True)
class PlacementResult:
    """The order snapshot, the HTTP status to answer with, and whether it was replayed."""

    order: dict
    status_code: int
    replayed: bool


def _load_terms(session: Session, offer_ids: Sequence[int]
                ) -> tuple[dict[int, OfferTerms], dict[int, int]]:
    """Terms per offer id, and the category of each offer's SKU."""
    rows = _LOAD_TERMS.execute(session, {"ids": sorted(set(offer_ids))}).all()
    tiers: dict[int, list[PriceTier]] = {}
    first: dict[int, object] = {}
    for r in rows:
        tiers.setdefault(r.id, []).append(PriceTier(r.min_quantity, r.unit_price))
        first.setdefault(r.id, r)
    terms = {
        i: OfferTerms(i, r.supplier_id, r.sku_id, r.currency, r.moq, r.order_multiple,
                      tuple(tiers[i]), r.version)
        for i, r in first.items()
    }
    return terms, {i: r.category_id for i, r in first.items()}


def place_order(
    session: Session,
    actor: Principal,
    request: OrderRequest,
    idempotency: IdempotentRequest,
    *,
    policy: CommercePolicy | None = None,
) -> PlacementResult:
    """Place an order for the caller's business unit, reserving its stock; once per key.

    Args:
        idempotency: the request's ``Idempotency-Key`` (a retry replays the first answer).
        policy: approval limits and FX age (default: :func:`current_policy`).

    Returns:
        The order snapshot, 201, and whether it is a replay of the key's first answer.

    Raises:
        ForbiddenError: the role may not place orders.
        IdempotencyInFlightError / IdempotencyMismatchError: see ``core/idempotency``.
        ValidationFailedError: unknown/inactive offer, mixed suppliers or currencies, MOQ,
            multiple, too many lines.
        OutOfStockError: not enough stock for some line (nothing reserved).
        SupplierSuspendedError: the supplier is on the elimination list (enforcement on).
    """
    actor.require(*PLACING_ROLES)
    if not actor.business_unit:
        raise ForbiddenError("orders are placed for a business unit; this account has none")
    outcome = run_once(session, actor.user_id, idempotency, "order",
                       lambda: _place(session, actor, request, policy or current_policy()), 201)
    return PlacementResult(outcome.body, outcome.status_code, outcome.replayed)


def _place(session: Session, actor: Principal, request: OrderRequest,
           policy: CommercePolicy) -> tuple[dict, str]:
    """Validate, price, insert and reserve; returns ``(snapshot, order id)``."""
    if not request.lines or len(request.lines) > MAX_LINES:
        raise ValidationFailedError(f"an order has 1 to {MAX_LINES} lines")
    if (request.ship_to_latitude is None) != (request.ship_to_longitude is None):
        raise ValidationFailedError("ship_to latitude and longitude go together")
    terms, category_of = _load_terms(session, [line.offer_id for line in request.lines])
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
    standing.ensure_orderable(session, [supplier_id], actor.business_unit, policy)
    now = utcnow()
    call_off = None
    if request.contract_id is not None:  # priced at the contract (contracts/calloffs.py)
        call_off = _call_off_terms(session, actor, request.contract_id, request, terms,
                                   supplier_id, now)
        terms, currency = call_off[1], call_off[0].currency
    elif request.group_price is not None:  # a group-buy deal's price (ordering/groupbuy.py)
        terms = {i: OfferTerms(i, t.supplier_id, t.sku_id, t.currency, 1, 1,
                               (PriceTier(1, request.group_price),), t.version) for i, t in terms.items()}
    priced = []
    gross = Money.zero(currency)
    for line_no, line in enumerate(request.lines, start=1):
        unit, amount = price_line(terms[line.offer_id], line.quantity)
        priced.append((line_no, line, terms[line.offer_id], unit, amount))
        gross = gross + amount
    rules = (promotions.price_rules(session, actor.business_unit, supplier_id, now)
             if call_off is None and request.group_price is None else [])  # contract, group: net prices
    discounts, applied = apply_promotions(
        [LineAmount(n, category_of[line.offer_id], amount.amount)
         for n, line, _, _, amount in priced], rules, currency)
    discount = sum(discounts.values(), Decimal(0))
    total = Money.of(gross.amount - discount, currency)
    need = approvals.requirement(session, actor.business_unit, total.amount, currency, now,
                                 policy)
    verdict = screening.screen(session, actor, supplier_id, currency, total.amount, now,  # 409 if blocked
                               [(t.sku_id, line.quantity, u.amount) for _, line, t, u, _ in priced], policy)
    ship_to = (
        (request.ship_to_latitude, request.ship_to_longitude)
        if request.ship_to_latitude is not None else None
    )
    order_row = {
        "business_unit": actor.business_unit, "buyer_user_id": actor.user_id,
        "supplier_id": supplier_id,
        "status": screening.initial_status(verdict, need is not None).value, "currency": currency,
        "total_amount": total.amount, "gross_amount": gross.amount,
        "discount_amount": Money.of(discount, currency).amount,
        "ship_to_address": request.ship_to_address,
        "ship_to_latitude": request.ship_to_latitude,
        "ship_to_longitude": request.ship_to_longitude, "note": request.note,
        "placed_at": now, "updated_at": now, "paid_at": None, "shipped_at": None,
        "delivered_at": None, "cancelled_at": None, "approved_at": None, "rejected_at": None,
        "expired_at": None, "settled_at": None, "statement_id": None,
    }
    # Everything that does not depend on the stock goes first: the stock rows stay locked
    # only from the reservation to the commit (on a hot SKU, that span is the throughput).
    order_id = _INSERT_ORDER.execute(session, order_row).scalar_one()
    checkout.at_placement(session, actor, {"id": order_id, **order_row}, request.coupon_code,
                          policy.payment_terms_days, now, request.points_to_redeem)  # terms, coupon, points
    line_rows = [
        {"order_id": order_id, "line_no": n, "offer_id": t.offer_id,
         "offer_version": t.version, "sku_id": t.sku_id, "quantity": line.quantity,
         "unit_price": unit.amount, "line_amount": amount.amount, "currency": currency,
         "discount_amount": Money.of(discounts[n], currency).amount,
         "net_amount": Money.of(amount.amount - discounts[n], currency).amount}
        for n, line, t, unit, amount in priced
    ]
    _INSERT_LINES.execute(session, line_rows[0] if len(line_rows) == 1 else line_rows)
    order_row["risk"] = screening.record(session, order_id, verdict)
    attribution.at_placement(session, actor, order_id, [(n, t.sku_id, line.from_recommendation)
                                                        for n, line, t, _, _ in priced], now)
    promotion_rows = [_promotion_row(order_id, a, currency) for a in applied]
    if promotion_rows:
        _INSERT_PROMOTIONS.execute(session, promotion_rows)
    approval = (approvals.record_request(session, order_id, total.amount, currency, need, now,
                                         policy) if need else None)
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
    if call_off is not None:  # after the stock: the lock order a cancellation takes too
        calloffs.reserve(session, call_off[0], {"id": order_id, **order_row},
                         [(n, t.sku_id, line.quantity, u.amount) for n, line, t, u, _ in priced],
                         now)
        order_row["contract_id"] = call_off[0].contract_id
    snapshot = _snapshot_from_rows(order_id, order_row, line_rows, alloc_rows, promotion_rows,
                                   approval)
    events.emit(session, PLACED_EVENT, "order", order_id, snapshot,
                business_unit=actor.business_unit, supplier_id=supplier_id, json_ready=True)
    if approval is not None:
        events.emit(session, "order.approval_requested", "order", order_id,
                    {"order_id": order_id, **approval}, business_unit=actor.business_unit,
                    supplier_id=supplier_id, json_ready=True)
    return snapshot, str(order_id)


def _call_off_terms(session: Session, actor: Principal, contract_id: int, request: OrderRequest,
                    terms: dict[int, OfferTerms], supplier_id: str, now: dt.datetime
                    ) -> tuple[calloffs.CallOffTerms, dict[int, OfferTerms]]:
    """The contract's terms for this call-off and each offer's terms priced at them (the
    contract's currency and tiers; its price replaces the offer's MOQ and multiple)."""
    quantities: dict[int, int] = {}
    for line in request.lines:
        sku = terms[line.offer_id].sku_id
        quantities[sku] = quantities.get(sku, 0) + line.quantity
    contract = calloffs.terms_for(session, actor, contract_id, supplier_id, quantities,
                                  now.date())
    priced = {
        offer_id: OfferTerms(offer_id, t.supplier_id, t.sku_id, contract.currency, 1, 1,
                             contract.lines[t.sku_id].tiers, t.version)
        for offer_id, t in terms.items()
    }
    return contract, priced


def _promotion_row(order_id: int, a: AppliedPromotion, currency: str) -> dict:
    return {"order_id": order_id, "line_no": a.line_no, "sequence": a.sequence,
            "promotion_id": a.promotion_id, "promotion_version": a.version, "kind": a.kind,
            "amount": a.amount, "currency": currency}


def _by_warehouse(allocation: dict) -> int:
    return allocation["warehouse_id"]


def _snapshot_from_rows(order_id: int, order_row: dict, line_rows: list[dict],
                        alloc_rows: list[dict], promotion_rows: list[dict],
                        approval: dict | None) -> dict:
    lines = [
        line_json(line, [allocation_json(a) for a in sorted(alloc_rows, key=_by_warehouse)
                         if a["line_no"] == line["line_no"]],
                  [applied_json(p) for p in promotion_rows if p["line_no"] == line["line_no"]])
        for line in line_rows
    ]
    return snapshot_of({"id": order_id, **order_row}, lines, approval)

