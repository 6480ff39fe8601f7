"""An independent brute-force reference for the sourcing optimiser (small instances only).

It enumerates every quantity of every offer (0 or a multiple within MOQ and capacity, priced by
the tier it reaches) straight from the JSON form, shares no code with ``models.sourcing`` and
checks every constraint of issue #16 on each combination.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any


def price(offer: dict[str, Any], q: float) -> float | None:
    """All-units unit price of ``q`` units (``None``: below the first tier)."""
    reached = [t for t in offer["tiers"] if t["min_qty"] <= q]
    return max(reached, key=lambda t: t["min_qty"])["unit_price"] if reached else None


def quantities(offer: dict[str, Any]) -> list[float]:
    """Every allowed quantity of ``offer``: 0, or a multiple within [MOQ, capacity] with a price."""
    out = [0]
    k = 1
    while offer["multiple"] * k <= offer["capacity"]:
        q = offer["multiple"] * k
        if q >= offer["moq"] and price(offer, q) is not None:
            out.append(q)
        k += 1
    return out


def usable(req: dict[str, Any], offer: dict[str, Any]) -> bool:
    """Supplier not eliminated, score >= min_score, lead time within need-by."""
    s = next(s for s in req["suppliers"] if s["supplier_id"] == offer["supplier_id"])
    return (not s["eliminated"] and s["score"] >= req["min_score"]
            and offer["lead_time_days"] <= req["need_by_days"])


def cost_of(req: dict[str, Any], offers: list[dict[str, Any]], qs: tuple[float, ...]) -> float | None:
    """Total landed cost of buying ``qs`` from ``offers``, ``None`` when a constraint fails."""
    fixed = {s["supplier_id"]: s["fixed_cost"] for s in req["suppliers"]}
    used = {o["supplier_id"] for o, q in zip(offers, qs, strict=True) if q > 0}
    if req.get("max_suppliers") is not None and len(used) > req["max_suppliers"]:
        return None
    for line in req["lines"]:
        mine = [(o, q) for o, q in zip(offers, qs, strict=True) if o["sku"] == line["sku"]]
        if sum(q for _, q in mine) < line["quantity"]:
            return None
        by_supplier: dict[str, float] = {}
        for o, q in mine:
            if q > 0:
                by_supplier[o["supplier_id"]] = by_supplier.get(o["supplier_id"], 0) + q
        if req.get("max_share") is not None and any(
                v > req["max_share"] * line["quantity"] + 1e-9 for v in by_supplier.values()):
            return None
        if req.get("max_suppliers_per_line") is not None \
                and len(by_supplier) > req["max_suppliers_per_line"]:
            return None
    total = sum(q * price(o, q) for o, q in zip(offers, qs, strict=True) if q > 0)
    return total + sum(fixed[s] for s in used) + expected_delay(req, offers, qs)


def expected_delay(req: dict[str, Any], offers: list[dict[str, Any]],
                   qs: tuple[float, ...]) -> float:
    """Σ quantity × late_probability × delay_cost_per_unit (both optional, default 0)."""
    per_unit = req.get("delay_cost_per_unit", 0)
    return sum(q * o.get("late_probability", 0) * per_unit
               for o, q in zip(offers, qs, strict=True) if q > 0)


def brute_force(req: dict[str, Any]) -> float | None:
    """The minimum total cost over every combination, ``None`` when none is feasible."""
    skus = {line["sku"] for line in req["lines"]}
    offers = [o for o in req["offers"] if o["sku"] in skus and usable(req, o)]
    best = None
    for qs in itertools.product(*(quantities(o) for o in offers)):
        cost = cost_of(req, offers, qs)
        if cost is not None and (best is None or cost < best - 1e-9):
            best = cost
    return best


def plan_cost(req: dict[str, Any], plan: dict[str, Any]) -> float | None:
    """Check a plan against the constraints (independently) and return its cost."""
    by_id = {o["offer_id"]: o for o in req["offers"]}
    offers = [by_id[a["offer_id"]] for a in plan["allocations"]]
    qs = tuple(a["quantity"] for a in plan["allocations"])
    for o, q, a in zip(offers, qs, plan["allocations"], strict=True):
        assert usable(req, o) and q in quantities(o) and a["unit_price"] == price(o, q)
    return cost_of(req, offers, qs)


def random_requisition(seed: int) -> dict[str, Any]:
    """A small random requisition: 2-3 SKUs, 2-5 offers, 2-3 suppliers, 1-3 tiers."""
    rng = random.Random(seed)
    skus = [f"K{i}" for i in range(rng.randint(2, 3))]
    suppliers = [{"supplier_id": f"S{j}", "fixed_cost": rng.choice([0, 5, 10, 25]),
                  "score": rng.randint(45, 100), "eliminated": rng.random() < 0.1}
                 for j in range(rng.randint(2, 3))]
    offers = []
    for n in range(rng.randint(len(skus), len(skus) + 2)):
        sku = skus[n] if n < len(skus) else rng.choice(skus)
        multiple = rng.choice([1, 1, 2, 3, 5])
        tiers, start, unit = [], 0, rng.randint(5, 12)
        for _ in range(rng.randint(1, 3)):
            tiers.append({"min_qty": start, "unit_price": unit})
            start += rng.randint(3, 8)
            unit = max(1, unit - rng.randint(0, 3))
        offers.append({"offer_id": f"O{n}", "supplier_id": rng.choice(suppliers)["supplier_id"],
                       "sku": sku, "moq": rng.choice([0, 0, 2, 4, 6]), "multiple": multiple,
                       "capacity": rng.randint(6, 16), "lead_time_days": rng.randint(2, 10),
                       "tiers": tiers})
    req = {"lines": [{"sku": s, "quantity": rng.randint(1, 10)} for s in skus],
           "offers": offers, "suppliers": suppliers, "need_by_days": rng.choice([8, 10, 14]),
           "min_score": rng.choice([0, 50])}
    if rng.random() < 0.3:
        req["max_suppliers"] = rng.randint(1, 2)
    if rng.random() < 0.2:
        req["max_share"] = rng.choice([0.5, 0.7])
    if rng.random() < 0.2:
        req["max_suppliers_per_line"] = 1
    return req


def random_delayed_requisition(seed: int) -> dict[str, Any]:
    """:func:`random_requisition` with a delay cost per unit and a late probability on most
    offers (drawn from a second generator, so the base instance is the same)."""
    req = random_requisition(seed)
    rng = random.Random(10_000 + seed)
    req["delay_cost_per_unit"] = rng.choice([1, 2.5, 4, 10])
    for o in req["offers"]:
        if rng.random() < 0.8:
            o["late_probability"] = rng.choice([0, 0.05, 0.2, 0.5, 0.9, 1])
    return req


def close(a: float, b: float) -> bool:
    """Costs equal up to float noise."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)
