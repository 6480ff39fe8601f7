"""Award of a sourcing event (issue #28): the requisition MILP of :mod:`models.sourcing.model`
extended with per-unit freight, bundle discounts and spend discounts — still exact (HiGHS,
zero gap) and explained.

A :class:`Tender` is a :class:`~models.sourcing.spec.Requisition` (one offer per bid line,
all-units tiers priced in the group currency) plus

* ``freight``: per offer, the landed cost per unit added to the tier price (not discounted);
* ``bundles``: a supplier's conditional discounts, a fraction ``discount`` in [0, 1) of its
  **gross price** (tier price × quantity, freight excluded):

  - ``lines``: when the supplier is awarded the *whole* quantity of every line of ``skus``
    (it alone covers them), ``discount`` × its gross price on those lines. Several ``lines`` bundles of one supplier
    stack (each on its own lines).
  - ``spend``: when the supplier's gross price over the whole event is at least ``min_spend``,
    ``discount`` × that gross price. Of one supplier's ``spend`` conditions at most one applies
    (the best reached: the solver picks it).

Extra columns, after the requisition's ``z``/``k``/``u``/``y``: per bundle ``b`` a binary
``w[b]`` (condition met) and, per arm ``a`` of the bundle's supplier (on the bundle's lines,
or all for ``spend``), a continuous ``on[b,a]``: the multiples of ``a`` the discount applies
to. This is the perspective (disaggregated) form of "discount × gross when the condition
holds": each arm's discounted part vanishes with ``w[b]`` on its own, instead of one big-M on
the bundle's whole gross, so the LP relaxation can no longer take a spend discount on a small
gross at a tiny ``w`` (the LP bound of the 100 × 30 event rises from 656,091 to 660,367)::

    on[b,a] <= k_hi[a] · w[b]        on[b,a] <= k[a]   (spend: Σ_{b spend of s} on[b,a] <= k[a])
    lines:  quantity(line) · w[b] <= Σ multiple · on[b,a] over the supplier's arms on the line,
            for each line of b
    spend:  min_spend · w[b] <= Σ price · multiple · on[b,a]
            Σ_{b spend of s} w[b] <= 1

and the objective ``Σ (price + freight) · multiple · k + Σ fixed · u − Σ discount · price ·
multiple · on``. Since the discounted part is maximised, ``on[b,a] = k[a]`` exactly when
``w[b] = 1`` (and 0 otherwise): the objective is the true landed cost after discounts, and a
condition is met by the multiples bought. The quantity domain is the requisition's (an offer never goes
beyond its line quantity rounded up to its multiple, or its tier / MOQ floor), so a spend
threshold is never reached by over-buying; :func:`brute_force` enumerates the same domain.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from models.sourcing.errors import SourcingInputError
from models.sourcing.explain import not_used_reasons
from models.sourcing.linedp import INFEASIBLE, line_optimum
from models.sourcing.model import SparseRows, build, exclusion, offer_arms
from models.sourcing.planner import _simple_cause
from models.sourcing.spec import Allocation, Requisition, Tier, clean_number

#: default wall-clock limit of one award solve, seconds.
TIME_LIMIT = 60.0


@dataclass(frozen=True)
class Bundle:
    """A supplier's conditional discount (see the module docstring)."""

    bundle_id: str
    supplier_id: str
    kind: str  # "lines" | "spend"
    discount: float
    skus: tuple[str, ...] = ()
    min_spend: float = 0.0

    def describe(self) -> str:
        """Plain words: what the condition is."""
        pct = f"{self.discount * 100:g}%"
        if self.kind == "lines":
            return f"{pct} off if awarded the whole of lines {', '.join(self.skus)}"
        return f"{pct} off the whole award if its gross is >= {self.min_spend:g}"


@dataclass(frozen=True)
class Tender:
    """A requisition plus freight per offer and the bidders' bundle conditions."""

    requisition: Requisition
    freight: dict[str, float] = field(default_factory=dict)
    bundles: tuple[Bundle, ...] = ()

    def __post_init__(self) -> None:
        suppliers = {s.supplier_id for s in self.requisition.suppliers}
        skus = {line.sku for line in self.requisition.lines}
        seen: set[str] = set()
        stack: dict[str, float] = {}
        best_spend: dict[str, float] = {}
        for b in self.bundles:
            if b.bundle_id in seen:
                raise SourcingInputError(f"duplicate bundle_id {b.bundle_id!r}")
            seen.add(b.bundle_id)
            if b.supplier_id not in suppliers:
                raise SourcingInputError(f"bundle {b.bundle_id}: unknown supplier {b.supplier_id!r}")
            if not 0 <= b.discount < 1:
                raise SourcingInputError(f"bundle {b.bundle_id}: discount must be in [0, 1)")
            if b.kind == "lines":
                if len(set(b.skus)) < 2 or not set(b.skus) <= skus:
                    raise SourcingInputError(
                        f"bundle {b.bundle_id}: needs two or more distinct lines of the event")
                stack[b.supplier_id] = stack.get(b.supplier_id, 0.0) + b.discount
            elif b.kind == "spend":
                if b.min_spend <= 0:
                    raise SourcingInputError(f"bundle {b.bundle_id}: min_spend must be > 0")
                best_spend[b.supplier_id] = max(best_spend.get(b.supplier_id, 0.0), b.discount)
            else:
                raise SourcingInputError(f"bundle {b.bundle_id}: kind must be lines or spend")
        for s in suppliers:
            if stack.get(s, 0.0) + best_spend.get(s, 0.0) >= 1:
                raise SourcingInputError(f"supplier {s}: its discounts add up to 100% or more")


@dataclass
class AppliedBundle:
    """A bundle whose condition the award meets, and the discount it gives."""

    bundle_id: str
    supplier_id: str
    description: str
    gross: float
    discount_amount: float

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"bundle_id": self.bundle_id, "supplier_id": self.supplier_id,
                "description": self.description, "gross": clean_number(self.gross),
                "discount_amount": clean_number(self.discount_amount)}


@dataclass
class Award:
    """The award: ``optimal``, ``infeasible`` (``reason``) or ``time_limit`` (best found)."""

    status: str
    total_cost: float = 0.0
    gross_price: float = 0.0
    freight: float = 0.0
    discount: float = 0.0
    allocations: list[Allocation] = field(default_factory=list)
    bundles: list[AppliedBundle] = field(default_factory=list)
    not_used: list[dict[str, str]] = field(default_factory=list)
    not_applied: list[dict[str, str]] = field(default_factory=list)
    suppliers_used: list[str] = field(default_factory=list)
    reason: str | None = None
    #: HiGHS's proven lower bound on the optimum (not in the JSON form).
    dual_bound: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (numbers cleaned of float noise)."""
        out = {"status": self.status, "total_cost": clean_number(self.total_cost),
               "gross_price": clean_number(self.gross_price), "freight": clean_number(self.freight),
               "discount": clean_number(self.discount),
               "allocations": [a.to_dict() | {"tier": a.tier + 1} for a in self.allocations],
               "bundles_applied": [b.to_dict() for b in self.bundles],
               "bundles_not_applied": self.not_applied, "not_used": self.not_used,
               "suppliers_used": self.suppliers_used}
        if self.reason is not None:
            out["reason"] = self.reason
        return out


def landed_cost(tender: Tender, choice: dict[str, tuple[int, float]]) -> tuple[float, float, float,
                                                                              list[AppliedBundle]]:
    """(total, gross price, freight, applied bundles) of a choice ``{offer_id: (tier, quantity)}``
    — the cost definition both the MILP and :func:`brute_force` are checked against. The total
    includes the requisition's expected delay cost (0 unless it prices delay)."""
    req = tender.requisition
    offers = {o.offer_id: o for o in req.offers}
    need = {line.sku: line.quantity for line in req.lines}
    gross_by: dict[tuple[str, str], float] = {}
    qty_by: dict[tuple[str, str], float] = {}
    freight = delay = 0.0
    for offer_id, (tier, qty) in choice.items():
        o = offers[offer_id]
        qty_by[(o.supplier_id, o.sku)] = qty_by.get((o.supplier_id, o.sku), 0.0) + qty
        gross_by[(o.supplier_id, o.sku)] = gross_by.get((o.supplier_id, o.sku), 0.0) \
            + o.tiers[tier].unit_price * qty
        freight += tender.freight.get(offer_id, 0.0) * qty
        delay += req.delay_per_unit(o) * qty
    gross = sum(gross_by.values())
    used = sorted({s for s, _ in gross_by})
    fixed = sum(req.supplier(s).fixed_cost for s in used)
    applied: list[AppliedBundle] = []
    best_spend: dict[str, AppliedBundle] = {}
    for b in tender.bundles:
        if b.kind == "lines":
            if all(qty_by.get((b.supplier_id, sku), 0.0) >= need[sku] - 1e-9 for sku in b.skus):
                g = sum(gross_by[(b.supplier_id, sku)] for sku in b.skus)
                applied.append(AppliedBundle(b.bundle_id, b.supplier_id, b.describe(), g,
                                             b.discount * g))
        else:
            g = sum(v for (s, _), v in gross_by.items() if s == b.supplier_id)
            if g > 0 and g >= b.min_spend - 1e-9:
                current = best_spend.get(b.supplier_id)
                if current is None or b.discount * g > current.discount_amount:
                    best_spend[b.supplier_id] = AppliedBundle(
                        b.bundle_id, b.supplier_id, b.describe(), g, b.discount * g)
    applied.extend(best_spend[s] for s in sorted(best_spend))
    discount = sum(a.discount_amount for a in applied)
    return gross + freight + fixed + delay - discount, gross, freight, applied


def _choices(req: Requisition, offer, quantity: float) -> list[tuple[int, float] | None]:
    options: list[tuple[int, float] | None] = [None]
    for arm in offer_arms(req, offer, quantity):
        options.extend((arm.tier, k * offer.multiple) for k in range(arm.k_lo, arm.k_hi + 1))
    return options


def brute_force(tender: Tender) -> tuple[float, dict[str, tuple[int, float]]] | None:
    """The cheapest award by enumerating every offer's (tier, quantity) in the MILP's domain;
    ``None`` when none is feasible. For tests on small events only."""
    req = tender.requisition
    need = {line.sku: line.quantity for line in req.lines}
    offers = [o for o in req.offers if o.sku in need and exclusion(req, o) is None]
    best: tuple[float, dict[str, tuple[int, float]]] | None = None
    for combo in itertools.product(*[_choices(req, o, need[o.sku]) for o in offers]):
        choice = {o.offer_id: c for o, c in zip(offers, combo, strict=True) if c is not None}
        bought: dict[str, float] = {}
        by_line_supplier: dict[tuple[str, str], float] = {}
        for o in offers:
            if o.offer_id in choice:
                q = choice[o.offer_id][1]
                bought[o.sku] = bought.get(o.sku, 0.0) + q
                key = (o.sku, o.supplier_id)
                by_line_supplier[key] = by_line_supplier.get(key, 0.0) + q
        if any(bought.get(sku, 0.0) < q - 1e-9 for sku, q in need.items()):
            continue
        if req.max_share is not None and any(
                v > req.max_share * need[sku] + 1e-9 for (sku, _), v in by_line_supplier.items()):
            continue
        if req.max_suppliers is not None and \
                len({s for _, s in by_line_supplier}) > req.max_suppliers:
            continue
        cost = landed_cost(tender, choice)[0]
        if best is None or cost < best[0] - 1e-9:
            best = (cost, choice)
    return best


def _extend(tender: Tender):
    """The requisition's model plus the bundle columns and rows (module docstring)."""
    req = tender.requisition
    model = build(req)
    arms = model.arms
    n0 = len(model.c)
    nb = len(tender.bundles)
    need = {line.sku: line.quantity for line in req.lines}
    mine_of: list[list[int]] = []
    for b in tender.bundles:
        mine_of.append([i for i, a in enumerate(arms) if a.offer.supplier_id == b.supplier_id
                        and (b.kind == "spend" or a.offer.sku in b.skus)])
    n = n0 + nb + sum(len(m) for m in mine_of)
    c = np.concatenate([model.c, np.zeros(n - n0)])
    for i, arm in enumerate(arms):
        c[model.k(i)] += tender.freight.get(arm.offer.offer_id, 0.0) * arm.offer.multiple
    lower = np.concatenate([model.bounds.lb, np.zeros(n - n0)])
    upper = np.concatenate([model.bounds.ub, np.ones(nb), np.full(n - n0 - nb, np.inf)])
    integrality = np.concatenate([model.integrality, np.ones(nb), np.zeros(n - n0 - nb)])
    rows = SparseRows()
    row = rows.add

    spend_of: dict[str, list[int]] = {}
    on_of: dict[tuple[str, int], list[int]] = {}  # (spend supplier, arm) -> its on-columns
    col = n0 + nb
    for j, (b, mine) in enumerate(zip(tender.bundles, mine_of, strict=True)):
        w = n0 + j
        on = {}
        for i in mine:  # the multiples of arm i the discount applies to: 0 unless w = 1
            arm = arms[i]
            on[i] = col
            c[col] = -b.discount * arm.unit_price * arm.offer.multiple
            upper[col] = arm.k_hi
            row([(col, 1.0), (w, -float(arm.k_hi))], -np.inf, 0.0)
            if b.kind == "lines":
                row([(col, 1.0), (model.k(i), -1.0)], -np.inf, 0.0)
            else:
                on_of.setdefault((b.supplier_id, i), []).append(col)
            col += 1
        if b.kind == "lines":
            if req.max_share is not None and req.max_share < 1:
                upper[w] = 0.0  # a share cap below 1 never lets one supplier take a whole line
            for sku in b.skus:
                ks = [(on[i], -arms[i].offer.multiple) for i in mine if arms[i].offer.sku == sku]
                if not ks:
                    upper[w] = 0.0
                row([(w, need[sku]), *ks], -np.inf, 0.0)
        else:
            spend_of.setdefault(b.supplier_id, []).append(w)
            row([(w, b.min_spend),
                 *[(on[i], -arms[i].unit_price * arms[i].offer.multiple) for i in mine]],
                -np.inf, 0.0)
    for (_, i), cols in on_of.items():
        row([*[(k, 1.0) for k in cols], (model.k(i), -1.0)], -np.inf, 0.0)
    for ws in spend_of.values():
        if len(ws) > 1:
            row([(w, 1.0) for w in ws], -np.inf, 1.0)

    constraints = []
    for con in model.constraints:
        a = sparse.csr_array(con.A)
        a = sparse.hstack([a, sparse.csr_array((a.shape[0], n - n0))], format="csr")
        constraints.append(LinearConstraint(a, con.lb, con.ub))
    bundle_rows = rows.constraint(n)
    if bundle_rows is not None:
        constraints.append(bundle_rows)
    return model, c, integrality, Bounds(lower, upper), constraints


def _choice(model, x: np.ndarray) -> dict[str, tuple[int, float]]:
    choice: dict[str, tuple[int, float]] = {}
    for i, arm in enumerate(model.arms):
        k = round(x[model.k(i)])
        if x[model.z(i)] > 0.5 and k > 0:
            choice[arm.offer.offer_id] = (arm.tier, arm.offer.multiple * k)
    return choice


def line_optima(tender: Tender, time_limit: float) -> tuple[dict[str, float],
                                                           dict[str, tuple[int, float]] | None]:
    """Per line, the cheapest landed cost of covering it alone (its own offers, share and
    per-line caps; no fixed costs, discounts or supplier cap) — a lower bound on what any
    award spends on that line — and the union of those per-line optima (``None`` when a line
    was not solved to optimality). Each is exact: a dynamic programme over units covered
    (:func:`models.sourcing.linedp.line_optimum`) where it applies, else a small MILP."""
    req = tender.requisition
    bounds: dict[str, float] = {}
    union: dict[str, tuple[int, float]] | None = {}
    each = max(0.5, time_limit / max(len(req.lines), 1))
    free = tuple(dataclasses.replace(s, fixed_cost=0.0) for s in req.suppliers)
    for line in req.lines:
        solved = line_optimum(req, line.sku, line.quantity, tender.freight)
        if solved is INFEASIBLE:
            union = None
            continue
        if solved is not None:
            bounds[line.sku] = solved[0]
            if union is not None:
                union.update(solved[1])
            continue
        sub = dataclasses.replace(req, lines=(line,), suppliers=free, max_suppliers=None,
                                  offers=tuple(o for o in req.offers if o.sku == line.sku))
        model, c, integrality, bnds, constraints = _extend(Tender(sub, tender.freight, ()))
        if not model.arms:
            union = None
            continue
        result = milp(c, integrality=integrality, bounds=bnds, constraints=constraints,
                      options={"mip_rel_gap": 0.0, "time_limit": each, "presolve": True})
        if result.status != 0 or result.x is None:
            union = None
            continue
        bounds[line.sku] = float(result.fun)
        if union is not None:
            union.update(_choice(model, result.x))
    return bounds, union


def _line_cuts(model, c: np.ndarray, req: Requisition,
               bounds: dict[str, float]) -> LinearConstraint | None:
    """``Σ landed cost of the arms on line l >= its per-line optimum`` for every solved line:
    valid for every award (each line's rows are a subset of the award's), and it lifts the
    LP bound to the sum of the per-line optima, which the lines' independence otherwise
    leaves to the branch and bound to discover line by line."""
    rows = SparseRows()
    for line in req.lines:
        if line.sku in bounds:
            rows.add([(model.k(i), float(c[model.k(i)])) for i, arm in enumerate(model.arms)
                      if arm.offer.sku == line.sku],
                     bounds[line.sku] - 1e-6 * max(1.0, abs(bounds[line.sku])), np.inf)
    return rows.constraint(len(c))


def _whole_line(tender: Tender, offers, quantity: float) -> tuple[str, int, float, float] | None:
    """The cheapest single arm of ``offers`` (one supplier's on one line) covering the line's
    ``quantity`` alone: ``(offer_id, tier, quantity, landed cost)``, or ``None``."""
    req = tender.requisition
    best = None
    for o in offers:
        if exclusion(req, o) is not None:
            continue
        unit_extra = tender.freight.get(o.offer_id, 0.0) + req.delay_per_unit(o)
        for arm in offer_arms(req, o, quantity):
            k = max(arm.k_lo, -int(-(quantity / o.multiple - 1e-9) // 1))
            if k <= arm.k_hi:
                cost = (arm.unit_price + unit_extra) * o.multiple * k
                if best is None or cost < best[3]:
                    best = (o.offer_id, arm.tier, o.multiple * k, cost)
    return best


def improve(tender: Tender, choice: dict[str, tuple[int, float]],
            rounds: int = 3) -> dict[str, tuple[int, float]]:
    """A cheaper feasible award near ``choice``, by local moves toward the bundles: give a
    ``lines`` bundle's supplier the whole of its lines, or give a supplier below a
    ``spend`` threshold the whole lines that cost least extra until it reaches it; a move is
    kept when the landed cost after discounts falls. A heuristic: it only supplies a good
    feasible award (the fallback and the cutoff of :func:`award`), never the proof. Moves
    that give one supplier a whole line are skipped under a share cap below 1."""
    req = tender.requisition
    if req.max_share is not None and req.max_share < 1:
        return choice
    offers = {o.offer_id: o for o in req.offers}
    need = {line.sku: line.quantity for line in req.lines}
    best, best_cost = dict(choice), landed_cost(tender, choice)[0]
    by_pair: dict[tuple[str, str], list] = {}
    for o in req.offers:
        by_pair.setdefault((o.supplier_id, o.sku), []).append(o)
    wholes = {(s, sku): _whole_line(tender, by_pair.get((s, sku), ()), need[sku])
              for s in {b.supplier_id for b in tender.bundles} for sku in need}

    def moved(base, supplier_id: str, skus) -> dict[str, tuple[int, float]] | None:
        out = dict(base)
        for sku in skus:
            whole = wholes[(supplier_id, sku)]
            if whole is None:
                return None
            for offer_id in [o for o in out if offers[o].sku == sku]:
                del out[offer_id]
            out[whole[0]] = (whole[1], whole[2])
        if req.max_suppliers is not None and \
                len({offers[o].supplier_id for o in out}) > req.max_suppliers:
            return None
        return out

    def line_cost(base, sku: str) -> float:
        return sum((offers[o].tiers[t].unit_price + tender.freight.get(o, 0.0)
                    + req.delay_per_unit(offers[o])) * q
                   for o, (t, q) in base.items() if offers[o].sku == sku)

    for _ in range(rounds):
        changed = False
        for b in tender.bundles:
            if b.kind == "lines":
                candidate = moved(best, b.supplier_id, b.skus)
            else:
                gross = sum(offers[o].tiers[t].unit_price * q for o, (t, q) in best.items()
                            if offers[o].supplier_id == b.supplier_id)
                if gross >= b.min_spend:
                    continue
                extra = []
                for sku in need:
                    whole = wholes[(b.supplier_id, sku)]
                    mine = all(offers[o].supplier_id == b.supplier_id
                               for o in best if offers[o].sku == sku)
                    if whole is not None and not mine:
                        extra.append((whole[3] - line_cost(best, sku), sku, whole))
                skus = []
                for _, sku, whole in sorted(extra):
                    if gross >= b.min_spend:
                        break
                    skus.append(sku)
                    gross += offers[whole[0]].tiers[whole[1]].unit_price * whole[2] - sum(
                        offers[o].tiers[t].unit_price * q for o, (t, q) in best.items()
                        if offers[o].sku == sku and offers[o].supplier_id == b.supplier_id)
                candidate = moved(best, b.supplier_id, skus) if gross >= b.min_spend else None
            if candidate is not None:
                cost = landed_cost(tender, candidate)[0]
                if cost < best_cost - 1e-9:
                    best, best_cost, changed = candidate, cost, True
        if not changed:
            break
    return best


def reprice(tender: Tender, choice: dict[str, tuple[int, float]],
            rounds: int = 3) -> dict[str, tuple[int, float]]:
    """A cheaper feasible award than ``choice`` when there is one this way: every line re-solved
    alone (:mod:`models.sourcing.linedp`) with the prices of the suppliers whose ``spend``
    discount the award earns lowered by that discount, then :func:`improve`; repeated while the
    landed cost falls. A heuristic for the fallback award, like :func:`improve`."""
    req = tender.requisition
    discount = {b.bundle_id: b.discount for b in tender.bundles if b.kind == "spend"}
    supplier_of = {o.offer_id: o.supplier_id for o in req.offers}
    best, best_cost = choice, landed_cost(tender, choice)[0]
    for _ in range(rounds):
        earned = {a.supplier_id: discount[a.bundle_id]
                  for a in landed_cost(tender, best)[3] if a.bundle_id in discount}
        if not earned:
            break
        scale = {s: 1.0 - d for s, d in earned.items()}
        candidate: dict[str, tuple[int, float]] = {}
        for line in req.lines:
            solved = line_optimum(req, line.sku, line.quantity, tender.freight, scale=scale)
            if solved is None or solved is INFEASIBLE:
                return best
            candidate.update(solved[1])
        if req.max_suppliers is not None and \
                len({supplier_of[o] for o in candidate}) > req.max_suppliers:
            break
        candidate = improve(tender, candidate)
        cost = landed_cost(tender, candidate)[0]
        if cost >= best_cost - 1e-9:
            break
        best, best_cost = candidate, cost
    return best


def award(tender: Tender, *, time_limit: float = TIME_LIMIT) -> Award:
    """The cheapest award of ``tender`` (exact: HiGHS with a zero relative gap), explained:
    the tier of each allocation, the bundles applied and not, why each other offer lost.

    Events of more than one line are first solved line by line (:func:`line_optima`, within
    a quarter of ``time_limit``): those optima become valid cuts (:func:`_line_cuts`), and
    their union — a feasible award unless ``max_suppliers`` binds — improved toward the
    bundles (:func:`improve`, :func:`reprice`) is the fallback when the whole solve stops at its time limit
    with something dearer (status ``time_limit``; the reason gives the gap to HiGHS's bound)."""
    req = tender.requisition
    if not req.lines:
        return Award("optimal")
    simple = _simple_cause(req)
    if simple:
        return Award("infeasible", reason=simple)
    started = time.perf_counter()
    model, c, integrality, bounds, constraints = _extend(tender)
    fallback = None
    if len(req.lines) > 1:
        line_bounds, union = line_optima(tender, time_limit / 4)
        cut = _line_cuts(model, c, req, line_bounds)
        if cut is not None:
            constraints = [*constraints, cut]
        supplier_of = {o.offer_id: o.supplier_id for o in req.offers}
        if union and (req.max_suppliers is None
                      or len({supplier_of[o] for o in union}) <= req.max_suppliers):
            fallback = reprice(tender, improve(tender, union))
    left = max(1.0, time_limit - (time.perf_counter() - started))
    result = milp(c, integrality=integrality, bounds=bounds, constraints=constraints,
                  options={"mip_rel_gap": 0.0, "time_limit": left, "presolve": True})
    if result.x is None:
        if result.status == 2:
            return Award("infeasible", reason=f"HiGHS: {result.message}")
        if fallback is None:
            return Award("time_limit", reason=f"HiGHS: {result.message}")
        out = explain(tender, fallback)
        out.status = "time_limit"
        out.reason = "no award found by the whole solve in time: the per-line optima improved " \
                     f"toward the bundles, not proven optimal ({result.message})"
        return out
    out = explain(tender, _choice(model, result.x))
    out.dual_bound = getattr(result, "mip_dual_bound", None)
    if result.status != 0:
        source = ""
        if fallback is not None:
            other = explain(tender, fallback)
            if other.total_cost < out.total_cost - 1e-9:
                out, source = other, ", from the per-line optima improved toward the bundles"
                out.dual_bound = getattr(result, "mip_dual_bound", None)
        within = ""
        if out.dual_bound is not None and out.total_cost > 0:
            within = f" (within {max(0.0, 1 - out.dual_bound / out.total_cost):.3%} of the " \
                     f"optimum{source})"
        out.status = "time_limit"
        out.reason = f"best award found{within}, not proven optimal: {result.message}"
    return out


def explain(tender: Tender, choice: dict[str, tuple[int, float]]) -> Award:
    """The :class:`Award` of a choice ``{offer_id: (tier, quantity)}`` with its reasons."""
    from models.sourcing.explain import allocation_text

    req = tender.requisition
    offers = {o.offer_id: o for o in req.offers}
    total, gross, freight, applied = landed_cost(tender, choice)
    allocations = []
    for offer_id, (tier, qty) in sorted(choice.items()):
        o = offers[offer_id]
        price = o.tiers[tier].unit_price
        landed = price + tender.freight.get(offer_id, 0.0)
        allocations.append(Allocation(offer_id, o.supplier_id, o.sku, qty, landed, landed * qty,
                                      allocation_text(o, tier, qty), tier))
    used = sorted({a.supplier_id for a in allocations})
    applied_ids = {a.bundle_id for a in applied}
    not_applied = []
    for b in tender.bundles:
        if b.bundle_id in applied_ids:
            continue
        if b.kind == "lines":
            need = {line.sku: line.quantity for line in req.lines}
            missing = [s for s in b.skus if sum(a.quantity for a in allocations if a.supplier_id
                                                == b.supplier_id and a.sku == s) < need[s] - 1e-9]
            why = (f"not awarded the whole of line(s) {', '.join(missing)}: the total is lower "
                   "without the bundle" if missing else "condition not met")
        else:
            g = sum(offers[o].tiers[t].unit_price * q for o, (t, q) in choice.items()
                    if offers[o].supplier_id == b.supplier_id)
            why = (f"awarded gross {g:g} < min_spend {b.min_spend:g}" if g < b.min_spend
                   else "a better spend discount of the same supplier applies")
        not_applied.append({"bundle_id": b.bundle_id, "supplier_id": b.supplier_id,
                            "description": b.describe(), "reason": why})
    landed = dataclasses.replace(req, offers=tuple(
        dataclasses.replace(o, tiers=tuple(Tier(t.min_qty, t.unit_price + tender.freight.get(
            o.offer_id, 0.0)) for t in o.tiers)) for o in req.offers))
    not_used = not_used_reasons(landed, allocations, used)
    for entry in not_used:
        winners = [a for a in applied if any(al.supplier_id == a.supplier_id and al.sku == entry["sku"]
                                             for al in allocations)]
        if winners and entry["reason"].startswith("cheaper"):
            entry["reason"] += "; the line's winner has " + "; ".join(
                f"bundle {a.bundle_id} ({a.description}, -{a.discount_amount:g})" for a in winners)
        elif entry["reason"].startswith("cheaper"):
            entry["reason"] += " (net of bundle and spend discounts)"
    return Award("optimal", total, gross, freight, sum(a.discount_amount for a in applied),
                 allocations, applied, not_used, not_applied, used)
