"""The optimiser's input for a requisition, built from what the service holds right now.

For each requisition line (``sku_id``, ``quantity``, ``need_by``) every **active offer** of
the SKU is a candidate; per offer:

* **tiers, MOQ, multiple** — the offer's own all-units price tiers (``offer_price_tiers``),
  ``moq`` and ``order_multiple`` (the catalogue always carries them: MOQ and multiple are
  ``NOT NULL`` with ``CHECK >= 1``, and every offer has at least one tier). The documented
  defaults — one tier at the offer's price, MOQ 1, multiple 1 — would apply to an offer without
  them; the schema does not allow one.
* **capacity** — the catalogue has no capacity column: the offer supplier's ``available``
  stock of the SKU summed over its warehouses (what placement can reserve now).
* **FX** — tier prices converted to the group currency on today's rate
  (``accounting/fx.py`` ``RateBook``, ROUND_HALF_EVEN 4 dp); no rate → the offer is excluded.
* **freight** — the order router's formula (``domain/allocation.py``): ``handling_cost +
  cost_per_km × great-circle km`` per unit from the warehouse the router would pick for the
  line's quantity (the cheapest one holding the whole quantity, else the cheapest holding
  any) to the requisition's ``ship_to`` point (0 km without one), converted to the group
  currency. The formula is per unit, so it is added to every tier's unit price (landed unit
  price) — exactly linear in the optimiser — and the suppliers' fixed order cost is 0 (the
  platform charges no per-order fee).
* **lead time** — ``today + lead_time_days`` after the line's ``need_by`` → excluded.
* **suspension** — a supplier on the applied elimination list (``supplier_suspensions``)
  without an active override for the caller's unit (or group-wide) is passed to the optimiser
  as ``eliminated`` (its offers are listed as not usable, with the reason), whether or not
  placement enforcement is on.
* **score** — the served supplier score (``supplier_scores``, applied from the lake's
  ``gold.supplier_score_snapshot`` through the inbound door, ``standing/scores.py``): with a
  ``min_score`` in the requisition, a supplier scored below it is not used (listed with the
  reason); a supplier **without** a served score is not filtered, and the answer's ``scores``
  names it. Without ``min_score`` nothing is filtered; the scores are shown.

The offers' ids and versions are kept (``fingerprint``) so that accepting the plan later can
tell whether any candidate offer changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.sourcing.spec import Line, Offer, Requisition, Supplier, Tier
from transactional.accounting.fx import FxRateMissingError, RateBook
from transactional.core.policy import CommercePolicy
from transactional.db.tables.catalogue import offer_price_tiers, offers, skus, stock, warehouses
from transactional.domain.allocation import haversine_km
from transactional.domain.errors import ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.standing.enforcement import blocked_suppliers
from transactional.standing.scores import scores_of

_SCALE = Decimal("0.0001")
UNSCORED_NOTE = ("suppliers without a served score (supplier_scores) are not filtered by "
                 "min_score")


def _q(value: Decimal) -> Decimal:
    return value.quantize(_SCALE, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class RequisitionLine:
    """``quantity`` units of SKU ``sku_id`` wanted by ``need_by``."""

    sku_id: int
    quantity: int
    need_by: dt.date


@dataclass(frozen=True)
class PlanRequest:
    """What a unit posts: lines, an optional delivery point and optional caps."""

    lines: tuple[RequisitionLine, ...]
    ship_to_latitude: float | None = None
    ship_to_longitude: float | None = None
    max_suppliers: int | None = None
    max_suppliers_per_line: int | None = None
    max_share: float | None = None
    min_score: float | None = None


@dataclass
class BuiltInput:
    """The optimiser's requisition plus everything the plan shows about where it came from."""

    requisition: Requisition
    candidates: list[dict[str, Any]] = field(default_factory=list)  # one per offer, with sources
    excluded: list[dict[str, Any]] = field(default_factory=list)  # dropped before the solve
    empty_lines: list[str] = field(default_factory=list)  # lines no offer can serve, why
    fingerprint: dict[str, int] = field(default_factory=dict)  # offer id -> version
    suspended: dict[str, str] = field(default_factory=dict)  # supplier -> reason
    scores: dict[str, Any] = field(default_factory=dict)  # what was known and applied

    def document(self) -> dict[str, Any]:
        """The JSON-ready input: the optimiser's requisition in issue #16's form, the
        candidates with their sources, exclusions and the offer fingerprint."""
        req = self.requisition
        return {
            "lines": [{"sku": line.sku, "quantity": line.quantity} for line in req.lines],
            "offers": [{"offer_id": o.offer_id, "supplier_id": o.supplier_id, "sku": o.sku,
                        "moq": o.moq, "multiple": o.multiple, "capacity": o.capacity,
                        "lead_time_days": o.lead_time_days,
                        "tiers": [{"min_qty": t.min_qty, "unit_price": t.unit_price}
                                  for t in o.tiers]} for o in req.offers],
            "suppliers": [{"supplier_id": s.supplier_id, "fixed_cost": s.fixed_cost,
                           "score": self.scores["scored"].get(s.supplier_id),
                           "eliminated": s.eliminated} for s in req.suppliers],
            "min_score": self.scores["min_score"],
            "max_suppliers": req.max_suppliers,
            "max_suppliers_per_line": req.max_suppliers_per_line,
            "max_share": req.max_share,
            "candidates": self.candidates, "excluded": self.excluded,
            "fingerprint": self.fingerprint, "suspended": self.suspended,
            "scores": self.scores,
        }

    def digest(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`document`."""
        text = json.dumps(self.document(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def validate(request: PlanRequest, today: dt.date, max_lines: int = 100) -> None:
    """Refuse a malformed requisition (HTTP 422) with a message saying what is wrong."""
    if not request.lines or len(request.lines) > max_lines:
        raise ValidationFailedError(f"a requisition has 1 to {max_lines} lines")
    seen: set[int] = set()
    for line in request.lines:
        if line.sku_id in seen:
            raise ValidationFailedError(f"SKU {line.sku_id} appears on two lines: merge them",
                                        code="duplicate_sku")
        seen.add(line.sku_id)
        if line.need_by < today:
            raise ValidationFailedError(f"line SKU {line.sku_id}: need_by "
                                        f"{line.need_by.isoformat()} is in the past")
    if (request.ship_to_latitude is None) != (request.ship_to_longitude is None):
        raise ValidationFailedError("ship_to latitude and longitude go together")


def current_fingerprint(session: Session, sku_ids: Sequence[int]) -> dict[str, int]:
    """``{offer id: version}`` of the active offers of ``sku_ids`` now."""
    rows = session.execute(select(offers.c.id, offers.c.version).where(
        offers.c.sku_id.in_(sorted(set(sku_ids))), offers.c.is_active.is_(True))).all()
    return {str(r.id): int(r.version) for r in rows}


def _router_freight(holdings: list[Any], quantity: int,
                    ship_to: tuple[float, float] | None) -> tuple[Any, Decimal, Decimal]:
    """(warehouse, km, per-unit cost in its currency) the order router would ship from."""
    def cost(w: Any) -> tuple[Decimal, Decimal]:
        if ship_to is None or w.latitude is None or w.longitude is None:
            km = Decimal(0)
        else:
            km = Decimal(str(round(haversine_km(w.latitude, w.longitude, *ship_to), 1)))
        return km, to_decimal(w.handling_cost + w.cost_per_km * km)

    options = sorted(((cost(w)[1], w.warehouse_id, w) for w in holdings), key=lambda o: o[:2])
    whole = [o for o in options if o[2].available >= quantity]
    chosen = (whole or options)[0][2]
    km, per_unit = cost(chosen)
    return chosen, km, per_unit


def build_input(session: Session, business_unit: str | None, request: PlanRequest,
                policy: CommercePolicy, today: dt.date) -> BuiltInput:
    """The optimiser's requisition for ``request`` from the live catalogue (module docstring).

    Raises:
        ValidationFailedError: an unknown SKU (``unknown_sku``).
    """
    sku_ids = [line.sku_id for line in request.lines]
    known = set(session.execute(select(skus.c.id).where(skus.c.id.in_(sku_ids))).scalars())
    unknown = sorted(set(sku_ids) - known)
    if unknown:
        raise ValidationFailedError(f"unknown SKU(s): {', '.join(map(str, unknown))}",
                                    code="unknown_sku", details={"sku_ids": unknown})
    group = policy.group_currency
    book = RateBook(session, policy)
    ship_to = (None if request.ship_to_latitude is None
               else (request.ship_to_latitude, request.ship_to_longitude))
    rows = session.execute(
        select(offers).where(offers.c.sku_id.in_(sku_ids), offers.c.is_active.is_(True))
        .order_by(offers.c.sku_id, offers.c.id)).all()
    tiers: dict[int, list[Any]] = {}
    for t in session.execute(select(offer_price_tiers).where(
            offer_price_tiers.c.offer_id.in_([r.id for r in rows]))
            .order_by(offer_price_tiers.c.offer_id, offer_price_tiers.c.min_quantity)):
        tiers.setdefault(t.offer_id, []).append(t)
    holdings: dict[tuple[str, int], list[Any]] = {}
    for h in session.execute(
            select(stock.c.sku_id, stock.c.available, warehouses.c.id.label("warehouse_id"),
                   warehouses.c.supplier_id, warehouses.c.latitude, warehouses.c.longitude,
                   warehouses.c.handling_cost, warehouses.c.cost_per_km, warehouses.c.currency)
            .join(warehouses, warehouses.c.id == stock.c.warehouse_id)
            .where(stock.c.sku_id.in_(sku_ids), stock.c.available > 0)):
        holdings.setdefault((h.supplier_id, h.sku_id), []).append(h)
    blocked = blocked_suppliers(session, {r.supplier_id for r in rows}, business_unit)
    by_line = {line.sku_id: line for line in request.lines}
    out_offers: list[Offer] = []
    built = BuiltInput(Requisition((), (), (), 0, 0))
    for r in rows:
        line = by_line[r.sku_id]
        built.fingerprint[str(r.id)] = int(r.version)
        entry: dict[str, Any] = {"offer_id": r.id, "supplier_id": r.supplier_id,
                                 "sku_id": r.sku_id, "offer_version": r.version,
                                 "currency": r.currency, "moq": r.moq,
                                 "multiple": r.order_multiple,
                                 "lead_time_days": r.lead_time_days}
        own = tiers.get(r.id) or []
        mine = holdings.get((r.supplier_id, r.sku_id), [])
        capacity = sum(h.available for h in mine)
        entry["capacity"] = capacity
        reason = None
        if today + dt.timedelta(days=r.lead_time_days) > line.need_by:
            reason = (f"lead time {r.lead_time_days} days misses the need-by date "
                      f"{line.need_by.isoformat()}")
        elif capacity <= 0:
            reason = "no available stock in the supplier's warehouses"
        elif not own:
            reason = "the offer has no price tier"
        if reason is None:
            try:
                rate = None if r.currency == group else book.rate(r.currency, group, today)
                wh, km, freight_native = _router_freight(mine, line.quantity, ship_to)
                freight = (freight_native if wh.currency == group else
                           book.convert(freight_native, wh.currency, group, today).amount)
            except FxRateMissingError as error:
                reason = f"no FX rate: {error}"
        if reason is not None:
            built.excluded.append({**entry, "reason": reason})
            continue
        freight = _q(freight)
        entry["fx"] = None if rate is None else {"rate": str(rate.rate),
                                                 "rate_date": rate.rate_date.isoformat(),
                                                 "source": rate.source}
        entry["freight"] = {"warehouse_id": wh.warehouse_id, "km": str(km),
                            "per_unit": str(freight), "currency": group}
        converted = [(t.min_quantity, _q(t.unit_price if rate is None else t.unit_price * rate.rate))
                     for t in own]
        entry["tiers"] = [{"min_qty": q, "unit_price": str(t.unit_price),
                           "unit_price_group": str(p), "landed_unit_price": str(p + freight)}
                          for (q, p), t in zip(converted, own, strict=True)]
        built.candidates.append(entry)
        out_offers.append(Offer(str(r.id), r.supplier_id, str(r.sku_id), float(r.moq),
                                float(r.order_multiple), float(capacity), 0.0,
                                tuple(Tier(float(q), float(p + freight)) for q, p in converted)))
    usable_skus = {o.sku for o in out_offers}
    for line in request.lines:
        if str(line.sku_id) in usable_skus:
            continue
        why = [f"offer {e['offer_id']} ({e['supplier_id']}): {e['reason']}"
               for e in built.excluded if e["sku_id"] == line.sku_id]
        built.empty_lines.append(f"line SKU {line.sku_id}: " + (
            "no usable offer (" + "; ".join(why) + ")" if why else "no active offer"))
    suppliers = sorted({o.supplier_id for o in out_offers})
    built.suspended = {s: blocked[s].reason for s in suppliers if s in blocked}
    served = scores_of(session, suppliers)
    scored = {s: served[s]["overall"] for s in suppliers
              if s in served and served[s]["overall"] is not None}
    unscored = [s for s in suppliers if s not in scored]
    floor = request.min_score
    built.scores = {"source": "supplier_scores (served from gold.supplier_score_snapshot)",
                    "min_score": floor, "scored": scored, "unscored": unscored,
                    "note": (UNSCORED_NOTE if floor is not None else
                             "no min_score given: no supplier filtered by score")
                    if scored else ("no supplier score available: the service has applied "
                                    "none for these suppliers, so none is filtered by score")}
    built.requisition = Requisition(
        tuple(Line(str(line.sku_id), float(line.quantity)) for line in request.lines),
        tuple(out_offers),
        tuple(Supplier(s, 0.0, scored.get(s, floor if floor is not None else 0.0),
                       s in blocked) for s in suppliers),
        need_by_days=math.inf, min_score=-math.inf if floor is None else floor,
        max_suppliers=request.max_suppliers,
        max_suppliers_per_line=request.max_suppliers_per_line, max_share=request.max_share)
    return built
