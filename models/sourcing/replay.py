"""The saving, measured (issue #16 item 4): replay the requisitions a group actually placed
and compare the optimiser's plan with what was paid, on the same prices and constraints.

A **requisition** is what one business unit bought in one ISO week: per SKU the total quantity
of its purchase-order lines. For each requisition :func:`replay` builds the optimiser's input
from the history alone:

* **offers** — the offers in force on the requisition's first order date, of the suppliers
  available to that unit then (:class:`HistoricOffer`: ``units`` — in the demo a vendor record
  belongs to one unit's ERP —, ``valid_from`` … ``valid_to``); their all-units tiers, MOQ,
  multiple and lead time, prices in the group currency (converted at the order date's rate by
  the caller);
* **need-by** — per SKU line, the longest lead time among the offers the unit actually
  bought that SKU from that week: an offer is usable when its lead time is not longer (so the
  plan never asks for faster delivery than the unit accepted; the actual choice is always
  usable). The optimiser takes one need-by for the whole requisition, so each offer's lead time
  is shifted by ``need_by_max − need_by(line)`` — exact, since an offer serves one line;
* **capacity** — unknown in the history: unlimited (each offer can cover its whole line);
* **fixed cost** — none (no per-order cost is recorded): 0 per supplier;
* **scores / elimination** — an offer is a candidate only while its supplier was available
  (not blocked) at that time; no scorecard threshold is applied.

Three totals per requisition, in the group currency:

* ``paid`` — what the lines actually cost (quantity × the unit price on the order line,
  including buyers' manual price changes);
* ``list`` — the actual choice priced at the offers' own tiers (each line at the tier its own
  quantity reaches): the same prices the optimiser sees;
* ``pooled`` — the actual offers, each bought once with its week's quantity (the saving of
  pooling alone: ``saving_pooling_only_pct`` = 1 − pooled / list);
* ``optimised`` — the optimiser's plan (it may buy more than the quantity where a tier makes
  that cheaper; the excess is paid for and counted).

``saving_vs_list`` = 1 − optimised / list is the like-for-like figure (same prices, same
suppliers, same lead times); ``saving_vs_paid`` = 1 − optimised / paid also contains the
buyers' manual price changes. What it cannot compare: delivery risk, quality, contracts or
relationships that made a buyer pick a dearer supplier; freight (not in the history); stock a
supplier did not have (capacity unknown); demand timing (a week's lines are pooled, as if
the unit had ordered them together).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.sourcing.planner import optimise
from models.sourcing.spec import Line, Offer, Requisition, Supplier, Tier


@dataclass(frozen=True)
class HistoricOffer:
    """An offer in force between ``valid_from`` and ``valid_to`` (inclusive) for ``units``;
    tiers ``((min_qty, unit_price), …)`` in the group currency, all-units."""

    offer_id: str
    supplier_id: str
    sku: str
    moq: float
    multiple: float
    lead_time_days: float
    tiers: tuple[tuple[float, float], ...]
    valid_from: dt.date
    valid_to: dt.date
    units: frozenset[str]
    blocked_from: dt.date | None = None  # the supplier is not available from this day on

    def in_force(self, unit: str, on: dt.date) -> bool:
        """Whether ``unit`` could order from this offer on ``on``."""
        return (unit in self.units and self.valid_from <= on <= self.valid_to
                and (self.blocked_from is None or on < self.blocked_from))

    def price(self, quantity: float) -> float:
        """The all-units tier price ``quantity`` reaches (the lowest tier below the first)."""
        reached = [p for q, p in self.tiers if q <= quantity + 1e-9]
        return reached[-1] if reached else self.tiers[0][1]


@dataclass(frozen=True)
class PlacedLine:
    """One purchase-order line actually placed: ``quantity`` of ``sku`` from offer
    ``offer_id`` at ``unit_price`` (group currency) on ``order_date``."""

    unit: str
    order_date: dt.date
    offer_id: str
    supplier_id: str
    sku: str
    quantity: float
    unit_price: float


@dataclass
class RequisitionReplay:
    """One unit × week: the three totals and the suppliers used on each side."""

    unit: str
    week: str
    lines: int
    paid: float
    list_cost: float
    pooled: float
    optimised: float | None
    status: str
    suppliers_actual: int
    suppliers_plan: int
    reason: str | None = None


@dataclass
class ReplayResult:
    """Every requisition replayed and the totals (see :meth:`summary`)."""

    requisitions: list[RequisitionReplay] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Totals, savings and supplier counts, overall and per business unit, over the
        requisitions solved to optimality (the others are counted, not compared)."""
        def block(rows: list[RequisitionReplay]) -> dict[str, Any]:
            ok = [r for r in rows if r.status == "optimal"]
            paid = sum(r.paid for r in ok)
            listed = sum(r.list_cost for r in ok)
            pooled = sum(r.pooled for r in ok)
            opt = sum(r.optimised or 0.0 for r in ok)
            return {
                "requisitions": len(rows), "compared": len(ok),
                "not_compared": {s: sum(r.status == s for r in rows)
                                 for s in sorted({r.status for r in rows} - {"optimal"})},
                "lines": sum(r.lines for r in ok),
                "paid": round(paid, 2), "list": round(listed, 2), "pooled": round(pooled, 2),
                "optimised": round(opt, 2),
                "saving_vs_list_pct": round(100 * (1 - opt / listed), 3) if listed else None,
                "saving_vs_paid_pct": round(100 * (1 - opt / paid), 3) if paid else None,
                "saving_pooling_only_pct": round(100 * (1 - pooled / listed), 3)
                if listed else None,
                "suppliers_actual_mean": round(sum(r.suppliers_actual for r in ok) / len(ok), 3)
                if ok else None,
                "suppliers_plan_mean": round(sum(r.suppliers_plan for r in ok) / len(ok), 3)
                if ok else None,
            }

        units = sorted({r.unit for r in self.requisitions})
        return {"total": block(self.requisitions),
                "per_unit": {u: block([r for r in self.requisitions if r.unit == u])
                             for u in units}}


def week_of(day: dt.date) -> str:
    """ISO week label ``YYYY-Www`` of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def requisitions(lines: Iterable[PlacedLine]) -> dict[tuple[str, str], list[PlacedLine]]:
    """Placed lines grouped per business unit × ISO week (sorted keys)."""
    grouped: dict[tuple[str, str], list[PlacedLine]] = {}
    for line in lines:
        grouped.setdefault((line.unit, week_of(line.order_date)), []).append(line)
    return dict(sorted(grouped.items()))


def build_requisition(unit: str, placed: Sequence[PlacedLine],
                      offers: Sequence[HistoricOffer], *,
                      cap_suppliers: bool = False) -> Requisition:
    """The optimiser's input for one unit × week (module docstring); with ``cap_suppliers``
    the plan may use at most as many suppliers as the unit actually did."""
    on = min(line.order_date for line in placed)
    by_id = {o.offer_id: o for o in offers}
    for line in placed:
        if line.offer_id not in by_id:
            raise ValueError(f"placed line of {unit} on {line.order_date}: unknown offer "
                             f"{line.offer_id!r}")
    quantity: dict[str, float] = {}
    need: dict[str, float] = {}
    for line in placed:
        quantity[line.sku] = quantity.get(line.sku, 0.0) + line.quantity
        need[line.sku] = max(need.get(line.sku, 0.0), by_id[line.offer_id].lead_time_days)
    horizon = max(need.values())
    chosen: list[Offer] = []
    for o in offers:
        if o.sku not in quantity:
            continue
        actual = any(line.offer_id == o.offer_id for line in placed)
        if not (actual or o.in_force(unit, on)):
            continue
        if o.lead_time_days > need[o.sku]:
            continue
        chosen.append(Offer(o.offer_id, o.supplier_id, o.sku, o.moq, o.multiple,
                            math.ceil(quantity[o.sku] / o.multiple) * o.multiple
                            + max(o.moq, o.tiers[-1][0]),
                            o.lead_time_days + (horizon - need[o.sku]),
                            tuple(Tier(q, p) for q, p in o.tiers)))
    suppliers = sorted({o.supplier_id for o in chosen})
    return Requisition(tuple(Line(sku, q) for sku, q in sorted(quantity.items())),
                       tuple(sorted(chosen, key=lambda o: o.offer_id)),
                       tuple(Supplier(s, 0.0, 0.0, False) for s in suppliers),
                       need_by_days=horizon, min_score=-math.inf,
                       max_suppliers=len({line.supplier_id for line in placed})
                       if cap_suppliers else None)


def _pooled(placed: Sequence[PlacedLine], by_id: dict[str, HistoricOffer]) -> float:
    """The actual offers with each one's week quantity bought at once (the tier effect of
    pooling alone, no supplier changed)."""
    quantity: dict[str, float] = {}
    for line in placed:
        quantity[line.offer_id] = quantity.get(line.offer_id, 0.0) + line.quantity
    return sum(q * by_id[o].price(q) for o, q in quantity.items())


def replay(lines: Iterable[PlacedLine], offers: Sequence[HistoricOffer], *,
           time_limit: float = 30.0, cap_suppliers: bool = False) -> ReplayResult:
    """Replay every unit × week of ``lines`` against ``offers`` (module docstring).

    Args:
        lines: the purchase-order lines actually placed (group currency).
        offers: every offer of the period, with its validity and units.
        time_limit: solver seconds per requisition (a requisition stopped there is not
            compared; the summary counts it).
        cap_suppliers: at most as many suppliers per requisition as the unit used.
    """
    by_id = {o.offer_id: o for o in offers}
    by_sku: dict[str, list[HistoricOffer]] = {}
    for o in offers:
        by_sku.setdefault(o.sku, []).append(o)
    result = ReplayResult()
    for (unit, week), placed in requisitions(lines).items():
        skus = {line.sku for line in placed}
        req = build_requisition(unit, placed, [o for s in sorted(skus) for o in by_sku.get(s, [])],
                                cap_suppliers=cap_suppliers)
        plan = optimise(req, time_limit=time_limit)
        result.requisitions.append(RequisitionReplay(
            unit=unit, week=week, lines=len(req.lines),
            paid=sum(line.quantity * line.unit_price for line in placed),
            list_cost=sum(line.quantity * by_id[line.offer_id].price(line.quantity)
                          for line in placed),
            pooled=_pooled(placed, by_id),
            optimised=plan.total_cost if plan.status == "optimal" else None,
            status=plan.status,
            suppliers_actual=len({line.supplier_id for line in placed}),
            suppliers_plan=len(plan.suppliers_used), reason=plan.reason))
    return result


def history_to_json(lines: Sequence[PlacedLine], offers: Sequence[HistoricOffer],
                    **meta: Any) -> dict[str, Any]:
    """The JSON form read by :func:`history_from_json` (``grouplake sourcing replay``)."""
    return {
        **meta,
        "offers": [{"offer_id": o.offer_id, "supplier_id": o.supplier_id, "sku": o.sku,
                    "moq": o.moq, "multiple": o.multiple, "lead_time_days": o.lead_time_days,
                    "tiers": [[q, p] for q, p in o.tiers],
                    "valid_from": o.valid_from.isoformat(), "valid_to": o.valid_to.isoformat(),
                    "units": sorted(o.units),
                    "blocked_from": o.blocked_from.isoformat() if o.blocked_from else None}
                   for o in offers],
        "lines": [{"unit": x.unit, "order_date": x.order_date.isoformat(),
                   "offer_id": x.offer_id, "supplier_id": x.supplier_id, "sku": x.sku,
                   "quantity": x.quantity, "unit_price": x.unit_price} for x in lines],
    }


def history_from_json(data: dict[str, Any]) -> tuple[list[PlacedLine], list[HistoricOffer]]:
    """Placed lines and offers from :func:`history_to_json`'s form.

    Raises:
        ValueError: a missing field or an unreadable date.
    """
    try:
        offers = [HistoricOffer(
            str(o["offer_id"]), str(o["supplier_id"]), str(o["sku"]), float(o["moq"]),
            float(o["multiple"]), float(o["lead_time_days"]),
            tuple((float(q), float(p)) for q, p in sorted(o["tiers"])),
            dt.date.fromisoformat(o["valid_from"]), dt.date.fromisoformat(o["valid_to"]),
            frozenset(o["units"]),
            dt.date.fromisoformat(o["blocked_from"]) if o.get("blocked_from") else None)
            for o in data["offers"]]
        lines = [PlacedLine(str(x["unit"]), dt.date.fromisoformat(x["order_date"]),
                            str(x["offer_id"]), str(x["supplier_id"]), str(x["sku"]),
                            float(x["quantity"]), float(x["unit_price"]))
                 for x in data["lines"]]
    except (KeyError, TypeError) as exc:
        raise ValueError(f"not a replay history: missing or ill-typed field {exc}") from None
    return lines, offers
