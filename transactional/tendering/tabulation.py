"""The bid tabulation (比价表): every bid line normalised to landed cost per unit in the group
currency, and the :class:`~models.sourcing.award.Tender` the award is solved on.

Per event line and bid:

* **price**: each all-units tier converted to the group currency (``accounting/fx.py``
  ``RateBook`` on the tabulation date, rate / date / source recorded; ROUND_HALF_EVEN, 4 dp);
  ``unit_price_at_quantity`` is the tier the line's whole quantity (capped by the bid's
  capacity) reaches.
* **freight**: when the bid names a ``ship_from_warehouse_id`` and the line a
  ``delivery_warehouse_id``, both with coordinates: the warehouse's ``handling_cost +
  cost_per_km × great-circle km`` per unit (the order router's own formula,
  ``domain/allocation.py``), converted; otherwise 0 and ``freight_note`` says why.
  The delay-risk cost of the issue is not added (no per-supplier delivery forecasts in the
  transactional database).
* **landed_unit_cost** = converted price at quantity + freight; ``rank`` on the line among the
  usable bids (1 = lowest).
* **excluded**: the reason a bid line cannot be awarded — supplier suspended (the elimination
  list in force without an override for the event's unit, when the rule
  ``exclude_suspended`` is on), score below ``min_score`` (or no score given), lead time past
  the line's need-by date, bid expired, no FX rate, no tier reachable within MOQ / capacity.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.sourcing.award import Bundle, Tender
from models.sourcing.spec import Line, Offer, Requisition, Supplier, Tier
from transactional.accounting.fx import FxRateMissingError, RateBook
from transactional.core.policy import CommercePolicy
from transactional.db.tables.catalogue import warehouses
from transactional.db.tables.tendering import sourcing_bids
from transactional.domain.allocation import haversine_km
from transactional.domain.money import to_decimal
from transactional.standing.enforcement import blocked_suppliers
from transactional.tendering.events import event_lines, invitations

_SCALE = Decimal("0.0001")


def line_key(line_no: int) -> str:
    """The requisition SKU key of event line ``line_no``."""
    return f"L{line_no}"


def offer_key(line_no: int, supplier_id: str) -> str:
    """The requisition offer id of a supplier's bid on a line."""
    return f"L{line_no}/{supplier_id}"


def _warehouse(session: Session, warehouse_id: int | None, cache: dict[int, Any]) -> Any:
    if warehouse_id is None:
        return None
    if warehouse_id not in cache:
        cache[warehouse_id] = session.execute(
            select(warehouses).where(warehouses.c.id == warehouse_id)).first()
    return cache[warehouse_id]


def _freight(book: RateBook, group: str, src: Any, dst: Any,
             on: dt.date) -> tuple[Decimal, str | None]:
    if src is None:
        return Decimal(0), "freight not priced: the bid names no ship_from_warehouse_id"
    if dst is None:
        return Decimal(0), "freight not priced: the line has no delivery warehouse"
    if None in (src.latitude, src.longitude, dst.latitude, dst.longitude):
        return Decimal(0), "freight not priced: a warehouse has no coordinates"
    km = Decimal(str(round(haversine_km(src.latitude, src.longitude,
                                        dst.latitude, dst.longitude), 1)))
    per_unit = to_decimal(src.handling_cost + src.cost_per_km * km)
    return book.convert(per_unit, src.currency, group, on).amount, None


def _tier_at(tiers: list[dict[str, Any]], quantity: Decimal) -> int | None:
    reached = [i for i, t in enumerate(tiers) if Decimal(t["min_qty"]) <= quantity]
    return reached[-1] if reached else None


def tabulate(session: Session, event: Any, policy: CommercePolicy,
             on: dt.date) -> dict[str, Any]:
    """The tabulation of a closed event on date ``on`` (module docstring)."""
    group = event.currency
    book = RateBook(session, policy)
    rules = event.rules or {}
    invited = {r.supplier_id: r.score for r in invitations(session, event.id)}
    bids = session.execute(select(sourcing_bids).where(sourcing_bids.c.event_id == event.id)
                           .order_by(sourcing_bids.c.supplier_id)).all()
    blocked = (blocked_suppliers(session, [b.supplier_id for b in bids], event.business_unit)
               if rules.get("exclude_suspended", True) else {})
    min_score = rules.get("min_score")
    cache: dict[int, Any] = {}
    out_lines = []
    for line in event_lines(session, event.id):
        dst = _warehouse(session, line.delivery_warehouse_id, cache)
        entries = []
        for bid in bids:
            quote = next((x for x in bid.lines if x["line_no"] == line.line_no), None)
            if quote is None:
                continue
            entry: dict[str, Any] = {"supplier_id": bid.supplier_id, "bid_id": bid.id,
                                     "bid_currency": bid.currency, "moq": quote["moq"],
                                     "multiple": quote["multiple"], "capacity": quote["capacity"],
                                     "lead_time_days": quote["lead_time_days"],
                                     "valid_until": bid.valid_until, "excluded": None}
            try:
                rate = None if bid.currency == group else book.rate(bid.currency, group, on)
                tiers = [{"min_qty": t["min_qty"], "unit_price": t["unit_price"],
                          "unit_price_group": str(Decimal(t["unit_price"]) if rate is None else
                                                  (Decimal(t["unit_price"]) * rate.rate)
                                                  .quantize(_SCALE))} for t in quote["tiers"]]
                entry["fx"] = None if rate is None else {
                    "rate": str(rate.rate), "rate_date": rate.rate_date, "source": rate.source}
                src = _warehouse(session, quote.get("ship_from_warehouse_id"), cache)
                freight, note = _freight(book, group, src, dst, on)
            except FxRateMissingError as error:
                tiers, freight, note = [], Decimal(0), None
                entry["fx"] = None
                entry["excluded"] = f"no FX rate: {error}"
            freight = freight.quantize(_SCALE)
            entry.update(tiers=tiers, freight_per_unit=str(freight), freight_note=note)
            qty = min(line.quantity, Decimal(quote["capacity"]))
            t = _tier_at(tiers, qty) if tiers else None
            if t is not None and qty >= Decimal(quote["moq"]):
                price = Decimal(tiers[t]["unit_price_group"])
                entry.update(tier_at_quantity=t + 1, unit_price_at_quantity=str(price),
                             landed_unit_cost=str((price + freight).quantize(_SCALE)))
            else:
                entry.update(tier_at_quantity=None, unit_price_at_quantity=None,
                             landed_unit_cost=None)
                entry["excluded"] = entry["excluded"] or \
                    "no price tier reachable within its MOQ and capacity"
            score = invited.get(bid.supplier_id)
            if entry["excluded"] is None:
                if bid.supplier_id in blocked:
                    entry["excluded"] = (f"supplier suspended (elimination list): "
                                         f"{blocked[bid.supplier_id].reason}")
                elif min_score is not None and (score is None or score < min_score):
                    entry["excluded"] = f"score {score} below min_score {min_score}"
                elif on + dt.timedelta(days=int(quote["lead_time_days"])) > line.need_by:
                    entry["excluded"] = (f"lead time {quote['lead_time_days']} days misses the "
                                         f"need-by date {line.need_by.isoformat()}")
                elif bid.valid_until < on:
                    entry["excluded"] = f"bid expired on {bid.valid_until.isoformat()}"
            entries.append(entry)
        usable = sorted((e for e in entries if e["excluded"] is None),
                        key=lambda e: (Decimal(e["landed_unit_cost"]), e["supplier_id"]))
        for rank, e in enumerate(usable, start=1):
            e["rank"] = rank
        for e in entries:
            e.setdefault("rank", None)
        out_lines.append({"line_no": line.line_no, "sku_id": line.sku_id, "item": line.item,
                          "specification": line.specification, "quantity": line.quantity,
                          "need_by": line.need_by,
                          "delivery_warehouse_id": line.delivery_warehouse_id,
                          "bids": sorted(entries, key=lambda e: (e["rank"] is None,
                                                                 e["rank"] or 0,
                                                                 e["supplier_id"]))})
    return {"event_id": event.id, "currency": group, "as_of": on, "lines": out_lines,
            "bundles": {b.supplier_id: b.bundles for b in bids if b.bundles}}


def tender(session: Session, event: Any, table: dict[str, Any]) -> Tender:
    """The award problem of a tabulation: usable bid lines as offers at landed cost."""
    rules = event.rules or {}
    lines, offers, suppliers = [], [], set()
    rates: dict[str, Decimal] = {}
    for line in table["lines"]:
        lines.append(Line(line_key(line["line_no"]), float(line["quantity"])))
        for e in line["bids"]:
            if e["fx"] is not None:
                rates[e["supplier_id"]] = Decimal(e["fx"]["rate"])
            if e["excluded"] is not None:
                continue
            suppliers.add(e["supplier_id"])
            offers.append(Offer(offer_key(line["line_no"], e["supplier_id"]), e["supplier_id"],
                                line_key(line["line_no"]), float(e["moq"]), float(e["multiple"]),
                                float(e["capacity"]), 0.0,
                                tuple(Tier(float(t["min_qty"]), float(t["unit_price_group"]))
                                      for t in e["tiers"])))
    freight = {offer_key(line["line_no"], e["supplier_id"]): float(e["freight_per_unit"])
               for line in table["lines"] for e in line["bids"] if e["excluded"] is None}
    bundles = []
    for supplier_id, conditions in sorted(table["bundles"].items()):
        if supplier_id not in suppliers:
            continue
        for n, b in enumerate(conditions, start=1):
            pct = float(b["discount_pct"]) / 100
            if b["kind"] == "lines":
                bundles.append(Bundle(f"{supplier_id}#{n}", supplier_id, "lines", pct,
                                      tuple(line_key(x) for x in b["line_nos"])))
            else:
                spend = Decimal(b["min_spend"]) * rates.get(supplier_id, Decimal(1))
                bundles.append(Bundle(f"{supplier_id}#{n}", supplier_id, "spend", pct,
                                      min_spend=float(spend)))
    max_share = rules.get("max_share")
    req = Requisition(tuple(lines), tuple(offers),
                      tuple(Supplier(s, 0.0, 0.0, False) for s in sorted(suppliers)),
                      need_by_days=math.inf, min_score=-math.inf,
                      max_suppliers=rules.get("max_suppliers"),
                      max_share=None if max_share is None else float(max_share))
    return Tender(req, freight, tuple(bundles))


def get_tabulation(session: Session, actor: Any, event_id: int, policy: CommercePolicy,
                   on: dt.date | None = None) -> dict[str, Any]:
    """The tabulation for staff of the event's unit once bidding is closed (the stored one
    once awarded). Suppliers: 404; before closing: 409 ``event_not_closed`` (bids sealed)."""
    from transactional.db.tables.tendering import sourcing_awards
    from transactional.db.types import utcnow
    from transactional.domain.errors import ConflictError
    from transactional.domain.principal import Role, not_found
    from transactional.tendering.events import visible_event

    event = visible_event(session, actor, event_id)
    if actor.role is Role.SUPPLIER:
        raise not_found("sourcing_event", event_id)
    if event.status == "open":
        raise ConflictError(f"sourcing event {event_id} is open: bids are sealed until closing",
                            code="event_not_closed")
    stored = session.execute(select(sourcing_awards.c.result).where(
        sourcing_awards.c.event_id == event_id)).scalar()
    if stored is not None:
        return stored["tabulation"]
    return tabulate(session, event, policy, on or utcnow().date())
