"""Solve time of the sourcing optimiser (issue #16): 50 lines × 20 suppliers × 3 tiers.

A seeded generator (:func:`requisition`) makes a requisition of ``LINES`` SKU lines where every
one of ``SUPPLIERS`` suppliers offers every SKU with 3 all-units tiers, a MOQ, an order multiple,
a capacity and a lead time; suppliers have fixed order costs, scores and a few are eliminated;
``max_suppliers`` and a share cap bind. Two sides, interleaved per round (harness, **warm**):

* ``milp`` (the anchor) — ``scipy.optimize.milp`` (HiGHS, zero gap) on the arrays of the
  programme, built once outside the timing: the raw library doing the solve alone. No other
  library does the same work, so this is the only fair anchor;
* ``ours`` — :func:`models.sourcing.optimise` from the parsed requisition: feasibility checks,
  building the programme, the same solve, reading and explaining the plan.

Each solve stops at ``TIME_LIMIT`` (HiGHS, zero gap): when both sides prove optimality they
must agree on the cost (checked every round); otherwise the figures say how many rounds were
proven optimal (``metrics.optimal``) and the gap HiGHS had left (``milp`` ``mip_gap``).
``ratio`` = milp seconds ÷ ours seconds (< 1: the overhead of checks, building and explaining).
The target of the issue is ≤ 2 s for ``ours`` (absolute seconds in ``figures.ours.seconds``).

Run: ``make bench BENCH=sourcing`` (``BENCH_QUICK=1``: 10 lines × 5 suppliers, 2 rounds).
"""

from __future__ import annotations

import math
import random
from typing import Any

from tests.benchmarks import harness

LINES, SUPPLIERS = harness.by_mode((50, 20), (10, 5))
SEED = 16
ROUNDS = harness.rounds(5, quick=2)
#: wall seconds per solve: the exact (zero-gap) solve of the full size does not finish in the
#: 2 s target on this machine, so each side stops here and the figure is the gap left.
TIME_LIMIT = harness.by_mode(10.0, 10.0)


def requisition(lines: int, suppliers: int, per_sku: int, seed: int = SEED) -> dict[str, Any]:
    """A seeded requisition: ``per_sku`` of the suppliers offer each SKU, 3 all-units tiers."""
    rng = random.Random(seed)
    sups = [{"supplier_id": f"S{j:02d}", "fixed_cost": rng.choice([0, 50, 100, 200, 400]),
             "score": rng.randint(40, 100), "eliminated": rng.random() < 0.1}
            for j in range(suppliers)]
    offers, reqs = [], []
    for i in range(lines):
        sku = f"SKU{i:03d}"
        quantity = rng.randint(100, 600)
        reqs.append({"sku": sku, "quantity": quantity})
        base = rng.uniform(5, 50)
        for sup in sorted(rng.sample(sups, per_sku), key=lambda s: s["supplier_id"]):
            unit = base * rng.uniform(0.85, 1.25)
            first = rng.choice([50, 100, 150, 200])
            tiers = [{"min_qty": 0, "unit_price": round(unit, 2)},
                     {"min_qty": first, "unit_price": round(unit * rng.uniform(0.9, 0.97), 2)},
                     {"min_qty": first * rng.choice([2, 3, 4]),
                      "unit_price": round(unit * rng.uniform(0.8, 0.9), 2)}]
            offers.append({"offer_id": f"{sku}-{sup['supplier_id']}", "sku": sku,
                           "supplier_id": sup["supplier_id"], "moq": rng.choice([0, 10, 25]),
                           "multiple": rng.choice([1, 1, 5, 10, 12]),
                           "capacity": rng.randint(200, 900), "lead_time_days": rng.randint(2, 16),
                           "tiers": tiers})
    return {"lines": reqs, "offers": offers, "suppliers": sups, "need_by_days": 14,
            "min_score": 50, "max_suppliers": max(2, suppliers * 3 // 5), "max_share": 0.7}


def run() -> dict[str, Any]:
    """Interleaved warm rounds of the raw solve and the whole optimiser."""
    from models.sourcing import optimise, parse_requisition
    from models.sourcing.model import build
    from models.sourcing.optimise import _solve

    req = parse_requisition(requisition(LINES, SUPPLIERS, SUPPLIERS))
    model = build(req)
    costs: dict[str, list[tuple[bool, float]]] = {"milp": [], "ours": []}

    def raw(number: int) -> dict[str, float]:
        result = _solve(model, TIME_LIMIT)
        assert result.x is not None, result.message
        if number >= 0:  # not the warm-up call
            costs["milp"].append((result.status == 0, float(result.fun)))
        return {"optimal": float(result.status == 0), "objective": float(result.fun),
                "mip_gap": float(result.mip_gap)}

    def ours(number: int) -> dict[str, float]:
        plan = optimise(req, time_limit=TIME_LIMIT)
        assert plan.status in ("optimal", "time_limit"), plan.reason
        if number >= 0:
            costs["ours"].append((plan.status == "optimal", plan.total_cost))
        return {"optimal": float(plan.status == "optimal"), "total_cost": plan.total_cost,
                "suppliers_used": len(plan.suppliers_used), "allocations": len(plan.allocations)}

    warm = harness.compare(
        "sourcing_solve", sides=[harness.Side("milp", raw), harness.Side("ours", ours)],
        anchor="milp", temperature="warm", warmup=1, rounds=ROUNDS,
        note="milp: scipy.optimize.milp (HiGHS, mip_rel_gap 0) on the prebuilt arrays; ours: "
             "models.sourcing.optimise on the parsed requisition (checks, build, same solve, "
             f"read, explain); both stop at {TIME_LIMIT:g} s")
    for (a_opt, a), (b_opt, b) in zip(costs["milp"], costs["ours"], strict=True):
        if a_opt and b_opt and not math.isclose(a, b, rel_tol=1e-6):
            raise AssertionError(f"the sides disagree on the optimal cost: {costs}")
    return {
        "lines": LINES, "suppliers": SUPPLIERS, "offers_per_line": SUPPLIERS, "tiers": 3,
        "offers": len(req.offers), "usable_arms": len(model.arms),
        "variables": int(model.c.size), "rows": int(model.constraints[0].A.shape[0]),
        "max_suppliers": req.max_suppliers, "max_share": req.max_share, "seed": SEED,
        "time_limit_seconds": TIME_LIMIT, "target_seconds": 2.0,
        "rounds_proven_optimal": {side: sum(ok for ok, _ in v) for side, v in costs.items()},
        "best_cost": min(c for v in costs.values() for _, c in v),
        "solve": warm.to_dict(),
    }
