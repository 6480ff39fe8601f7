"""Solve a requisition exactly with ``scipy.optimize.milp`` (HiGHS) and explain the plan.

``optimise(req)`` returns a :class:`~models.sourcing.spec.Plan`: ``optimal`` with the
allocations (each with the tier it reached), per-line coverage and excess, and why every
other offer of a line was not used; or ``infeasible`` with the constraint that makes it so
(checked from the simplest cause: no usable offer for a SKU and why, usable capacity below the
quantity, the share cap, the supplier caps — with the fewest suppliers a plan needs — and
otherwise what HiGHS says); or ``time_limit`` with the best plan found, not proven optimal
(the reason gives the gap to HiGHS's proven bound).

Before the whole solve every line is solved alone by dynamic programming
(:class:`LineSolutions`, :mod:`models.sourcing.linedp`): the line optima, and the line optima
without each supplier they use, become valid cuts that lift the LP bound (on the 50 × 20 × 3
bench requisition from 331,490 to 334,000 against a best plan of 334,231), and their union,
with suppliers dropped down to ``max_suppliers``, is a feasible plan returned when the solve
stops with something dearer. The cuts never remove a plan, so the optimum is unchanged (the
brute-force tests check it).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from scipy.optimize import LinearConstraint, milp

from models.sourcing.explain import allocation_text, excess_text, not_used_reasons
from models.sourcing.linedp import INFEASIBLE, line_optimum
from models.sourcing.model import Model, SparseRows, build, exclusion, offer_arms, tier_ranges
from models.sourcing.spec import Allocation, Plan, Requisition, Tier, clean_number

#: default wall-clock limit of one solve, seconds.
TIME_LIMIT = 60.0


def _solve(model: Model, time_limit: float):
    return milp(model.c, integrality=model.integrality, bounds=model.bounds,
                constraints=model.constraints,
                options={"mip_rel_gap": 0.0, "time_limit": time_limit, "presolve": True})


def optimise(req: Requisition, *, time_limit: float = TIME_LIMIT) -> Plan:
    """The cheapest plan for ``req`` (exact: HiGHS with a zero relative gap).

    Args:
        req: the requisition (see :func:`models.sourcing.parse_requisition`).
        time_limit: wall seconds for the solver; when reached the best plan found is
            returned with status ``time_limit``.

    Returns:
        A :class:`Plan`; ``total_cost`` = Σ quantity × unit_price + Σ fixed cost of the
        suppliers used + the expected delay cost (Σ quantity × late_probability ×
        delay_cost_per_unit, 0 unless the requisition prices delay).
    """
    if not req.lines:
        return Plan("optimal")
    simple = _simple_cause(req)
    if simple:
        return Plan("infeasible", reason=simple)
    started = time.perf_counter()
    model = build(req)
    lines = LineSolutions(req, model, time_limit / 5) if len(req.lines) > 1 else None
    cuts = lines.cuts() if lines is not None else None
    constraints = model.constraints if cuts is None else [*model.constraints, cuts]
    left = max(1.0, time_limit - (time.perf_counter() - started))
    result = _solve(dataclasses.replace(model, constraints=constraints), left)
    if result.x is None and result.status == 2:
        return Plan("infeasible", reason=_cap_cause(req, time_limit) or f"HiGHS: {result.message}")
    plan = _read(req, model, result.x) if result.x is not None else None
    if result.status == 0 and plan is not None:
        return plan
    fallback = lines.repaired() if lines is not None else None
    if fallback is not None:
        other = _read(req, model, _x_of(model, fallback))
        if plan is None or other.total_cost < plan.total_cost - 1e-9:
            plan = other
    if plan is None:
        return Plan("time_limit", reason=f"no feasible plan found in {time_limit:g} s: "
                                         f"{result.message}")
    plan.status = "time_limit"
    bound = getattr(result, "mip_dual_bound", None)
    plan.dual_bound = bound
    within = ""
    if bound is not None and plan.total_cost > 0:
        within = f" (within {max(0.0, 1 - bound / plan.total_cost):.2%} of the optimum)"
    plan.reason = f"best plan found{within}, not proven optimal: {result.message}"
    return plan


def _x_of(model: Model, choice: dict[str, tuple[int, float]]) -> np.ndarray:
    """The column values of a plan ``{offer_id: (tier, quantity)}`` (its z, k and u)."""
    x = np.zeros(len(model.c))
    used = set()
    for i, arm in enumerate(model.arms):
        got = choice.get(arm.offer.offer_id)
        if got is not None and got[0] == arm.tier:
            x[model.z(i)] = 1.0
            x[model.k(i)] = round(got[1] / arm.offer.multiple)
            used.add(arm.offer.supplier_id)
    for j, s in enumerate(model.suppliers):
        x[2 * len(model.arms) + j] = float(s in used)
    return x


class LineSolutions:
    """Each line solved alone (:mod:`models.sourcing.linedp`; no fixed costs, no supplier cap),
    and again without each supplier of its optimum while ``budget`` seconds last. They give
    valid cuts (:meth:`cuts`) and a feasible plan to fall back on (:meth:`repaired`)."""

    def __init__(self, req: Requisition, model: Model, budget: float) -> None:
        started = time.perf_counter()
        self.req, self.model = req, model
        #: sku -> (least cost, choice) of the line alone
        self.best: dict[str, tuple[float, dict[str, tuple[int, float]]]] = {}
        #: (sku, supplier) -> least cost of the line without the supplier (None: impossible)
        self.without: dict[tuple[str, str], float | None] = {}
        self.offers = {line.sku: [o for o in req.offers if o.sku == line.sku]
                       for line in req.lines}
        for line in req.lines:
            solved = line_optimum(req, line.sku, line.quantity, {}, self.offers[line.sku])
            if solved is not None and solved is not INFEASIBLE:
                self.best[line.sku] = solved
        for line in req.lines:
            if line.sku not in self.best or time.perf_counter() - started > budget:
                continue
            choice = self.best[line.sku][1]
            for s in sorted({o.supplier_id for o in self.offers[line.sku]
                             if o.offer_id in choice}):
                other = line_optimum(req, line.sku, line.quantity, {},
                                     [o for o in self.offers[line.sku] if o.supplier_id != s])
                self.without[(line.sku, s)] = None if other is INFEASIBLE else (
                    other[0] if other is not None else self.best[line.sku][0])

    def cuts(self) -> LinearConstraint | None:
        """Valid inequalities, with ``cost_l`` = Σ (unit price + expected delay) × quantity
        over the arms of line ``l``:

        * ``cost_l >= V_l``, the line's own optimum: the LP otherwise prices each line at
          its relaxation, below what any plan pays;
        * for each supplier ``s`` of that optimum, ``cost_l + (V_l^-s − V_l) · u_s >= V_l^-s``
          with ``V_l^-s`` the line's optimum without ``s`` (``u_s >= 1`` when the line cannot
          be covered without it): a plan that drops ``s`` pays at least ``V_l^-s`` on the line,
          which is what ``max_suppliers`` forces on some lines and the LP does not see.

        Every plan meets them (its allocation on a line is a solution of the line alone,
        without ``s`` when ``u_s = 0``), so the optimum is unchanged."""
        model = self.model
        rows = SparseRows()
        u_col = {s: 2 * len(model.arms) + j for j, s in enumerate(model.suppliers)}
        by_line: dict[str, list[int]] = {}
        for i, arm in enumerate(model.arms):
            by_line.setdefault(arm.offer.sku, []).append(i)
        for sku, (value, _) in self.best.items():
            if sku not in by_line:
                continue
            cost = [(model.k(i), float(model.c[model.k(i)])) for i in by_line[sku]]
            rows.add(cost, value - 1e-9 * max(1.0, abs(value)), np.inf)
            for (line_sku, s), other in self.without.items():
                if line_sku != sku or s not in u_col:
                    continue
                if other is None:
                    rows.add([(u_col[s], 1.0)], 1.0, np.inf)
                elif other > value:
                    rows.add([*cost, (u_col[s], other - value)],
                             other - 1e-9 * max(1.0, abs(other)), np.inf)
        return rows.constraint(len(model.c))

    def repaired(self) -> dict[str, tuple[int, float]] | None:
        """The union of the lines' optima, with suppliers dropped while ``max_suppliers`` is
        exceeded (the one whose loss costs least, by the lines' optima without it, minus its
        fixed cost; its lines re-solved without the dropped suppliers): a feasible plan, or
        ``None`` (a line the DP does not apply to, or no way found)."""
        req = self.req
        if len(self.best) < len(req.lines):
            return None
        current = {sku: best for sku, best in self.best.items()}
        banned: set[str] = set()
        supplier_of = {o.offer_id: o.supplier_id for o in req.offers}

        def used() -> set[str]:
            return {supplier_of[o] for _, choice in current.values() for o in choice}

        while req.max_suppliers is not None and len(used()) > req.max_suppliers:
            loss = {}
            for s in used():
                lines = [sku for sku, (_, ch) in current.items()
                         if any(supplier_of[o] == s for o in ch)]
                est = [self.without.get((sku, s), current[sku][0] * 1.05) for sku in lines]
                if any(e is None for e in est):
                    continue
                loss[s] = sum(e - current[sku][0] for e, sku in zip(est, lines, strict=True)) \
                    - req.supplier(s).fixed_cost
            if not loss:
                return None
            drop = min(loss, key=lambda s: (loss[s], s))
            banned.add(drop)
            for sku, (_, choice) in list(current.items()):
                if any(supplier_of[o] == drop for o in choice):
                    line = next(ln for ln in req.lines if ln.sku == sku)
                    solved = line_optimum(req, sku, line.quantity, {},
                                          [o for o in self.offers[sku]
                                           if o.supplier_id not in banned])
                    if solved is None or solved is INFEASIBLE:
                        return None
                    current[sku] = solved
        return {o: got for _, choice in current.values() for o, got in choice.items()}


def _read(req: Requisition, model: Model, x: np.ndarray) -> Plan:
    priced = req.delay_cost_per_unit > 0
    allocations: list[Allocation] = []
    for i, arm in enumerate(model.arms):
        k = round(x[model.k(i)])
        if x[model.z(i)] < 0.5 or k == 0:
            continue
        quantity = arm.offer.multiple * k
        delay = quantity * req.delay_per_unit(arm.offer) if priced else None
        allocations.append(Allocation(
            arm.offer.offer_id, arm.offer.supplier_id, arm.offer.sku, quantity,
            arm.unit_price, quantity * arm.unit_price,
            allocation_text(arm.offer, arm.tier, quantity), arm.tier, delay))
    used = sorted({a.supplier_id for a in allocations})
    expected_delay = sum(a.expected_delay_cost or 0.0 for a in allocations) if priced else None
    total = sum(a.cost for a in allocations) + sum(req.supplier(s).fixed_cost for s in used) \
        + (expected_delay or 0.0)
    offers = {o.offer_id: o for o in req.offers}
    lines = []
    for line in req.lines:
        mine = [a for a in allocations if a.sku == line.sku]
        bought = sum(a.quantity for a in mine)
        entry = {"sku": line.sku, "quantity": clean_number(line.quantity),
                 "bought": clean_number(bought), "excess": clean_number(bought - line.quantity)}
        if bought - line.quantity > 1e-9:
            entry["excess_reason"] = excess_text(mine, offers)
        lines.append(entry)
    if priced:  # compare offers on unit price + expected delay cost per unit
        effective = [dataclasses.replace(a, unit_price=a.unit_price + req.delay_per_unit(
            offers[a.offer_id])) for a in allocations]
        not_used = not_used_reasons(with_delay(req), effective, used)
        for entry in not_used:
            if entry["reason"].startswith(("dearer", "cheaper")):
                entry["reason"] += " (unit prices include the expected delay cost)"
    else:
        not_used = not_used_reasons(req, allocations, used)
    return Plan("optimal", total, allocations, used, None, lines, not_used, expected_delay)


def with_delay(req: Requisition) -> Requisition:
    """``req`` with every tier price raised by its offer's expected delay cost per unit."""
    return dataclasses.replace(req, offers=tuple(
        dataclasses.replace(o, tiers=tuple(Tier(t.min_qty, t.unit_price + req.delay_per_unit(o))
                                           for t in o.tiers)) for o in req.offers))


def _simple_cause(req: Requisition) -> str | None:
    """Every line with no usable offer, too little usable capacity, or a share cap that cannot
    be met, described, without a solver. Coverage is "at least", so every offer's largest
    reachable quantity can be bought at once: with one offer per supplier and line a line is
    feasible on its own exactly when those maxima (each within the share cap) reach its
    quantity; with several offers of one supplier on a line the share test is only necessary
    (multiples may not add up to the cap) and HiGHS decides the rest."""
    causes = []
    for line in req.lines:
        offers = [o for o in req.offers if o.sku == line.sku]
        if not offers:
            causes.append(f"line {line.sku}: no offer for this SKU")
            continue
        usable = [o for o in offers if exclusion(req, o) is None]
        if not usable:
            why = "; ".join(f"{o.offer_id}: {exclusion(req, o)}" for o in offers)
            causes.append(f"line {line.sku}: no usable offer ({why})")
            continue
        reach = {o.offer_id: max((k_hi * o.multiple for _, _, k_hi in tier_ranges(o)), default=0.0)
                 for o in usable}
        if not any(reach.values()):
            causes.append(f"line {line.sku}: no usable offer can reach a priced tier within its "
                          "MOQ, capacity and multiple")
            continue
        total = sum(reach.values())
        if total < line.quantity - 1e-9:
            causes.append(f"line {line.sku}: capacity of the usable offers {total:g} < "
                          f"quantity {line.quantity:g}")
            continue
        if req.max_share is not None:
            per_supplier: dict[str, float] = {}
            for o in usable:
                within = max((a.k_hi * o.multiple for a in offer_arms(req, o, line.quantity)),
                             default=0.0)
                per_supplier[o.supplier_id] = per_supplier.get(o.supplier_id, 0.0) + within
            cap = req.max_share * line.quantity
            total = sum(min(v, cap) for v in per_supplier.values())
            if total < line.quantity - 1e-9:
                causes.append(f"line {line.sku}: max_share {req.max_share:g} caps each supplier at "
                              f"{cap:g}; the {len(per_supplier)} usable supplier(s) reach {total:g} < "
                              f"quantity {line.quantity:g}")
    return "; ".join(causes) or None


def _cap_cause(req: Requisition, time_limit: float) -> str | None:
    """When dropping the supplier caps makes the requisition feasible, the cap at fault with
    the fewest suppliers a plan needs (a second exact solve)."""
    relaxed = dataclasses.replace(req, max_suppliers=None, max_suppliers_per_line=None)
    if req.max_suppliers is None and req.max_suppliers_per_line is None:
        return None
    fewest = _solve(build(relaxed, minimise_suppliers=True), time_limit)
    if fewest.x is None:
        return None
    needed = round(fewest.fun)
    parts = []
    if req.max_suppliers is not None and needed > req.max_suppliers:
        parts.append(f"max_suppliers {req.max_suppliers} is too small: a plan needs at least "
                     f"{needed} suppliers")
    if req.max_suppliers_per_line is not None:
        only_line = dataclasses.replace(req, max_suppliers=None)
        if _solve(build(only_line), time_limit).status == 2:
            parts.append(f"max_suppliers_per_line {req.max_suppliers_per_line} is too small for "
                         "the MOQs, multiples, capacities and share cap of some line")
    if not parts and req.max_suppliers is not None:
        parts.append(f"max_suppliers {req.max_suppliers} together with the other caps")
    return "; ".join(parts) or None
