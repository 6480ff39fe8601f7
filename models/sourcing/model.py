"""The mixed-integer programme of a requisition, as arrays for ``scipy.optimize.milp``.

For every usable offer ``o`` and every price tier ``t`` it can reach there is an *arm*: a
binary ``z[o,t]`` (tier ``t`` chosen) and an integer ``k[o,t]`` (multiples bought; the quantity
is ``multiple × k``). All-units pricing is exact because the linking rows keep ``k`` inside the
tier's own range when it is chosen and at 0 otherwise::

    k_lo[o,t] · z[o,t] <= k[o,t] <= k_hi[o,t] · z[o,t]
    k_lo = ceil(max(tier min_qty, MOQ) / multiple)
    k_hi = min(floor(capacity / multiple), ceil(next tier min_qty / multiple) - 1)

(the strict ``quantity < next min_qty`` is exact in multiples, so fractional units work too).
A supplier binary ``u[s]`` carries its fixed cost: ``Σ_t z[o,t] <= u[s]`` for each of its offers
(at most one tier per offer). Each line is covered at least: ``Σ multiple · k >= quantity``.
``Σ u <= max_suppliers``; a share cap bounds one supplier's units on a line; a per-line cap
counts ``y[s,line]`` binaries. The expected cost of late delivery (``late_probability`` ×
``delay_cost_per_unit`` per unit, 0 unless given) is added to the unit price in the objective.

``k_hi`` is further capped at ``max(k_lo, ceil(line quantity / multiple))``: beyond that one
offer alone covers the line inside the same tier, so one multiple fewer costs no more; an
optimal plan always exists within the cap, and the tighter bound helps the solver. With a
share cap ``k_hi`` is also capped at ``floor(max_share × line quantity / multiple)`` (one offer
cannot exceed its supplier's share), and a tier left with ``k_lo > k_hi`` gets no arm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint

from models.sourcing.spec import Offer, Requisition

#: tolerance when turning quantity ratios into integer multiples (float inputs such as 0.1).
_EPS = 1e-9


@dataclass(frozen=True)
class Arm:
    """One (offer, tier) pair the offer can reach: ``k`` multiples in ``[k_lo, k_hi]``."""

    offer: Offer
    tier: int
    k_lo: int
    k_hi: int
    unit_price: float


@dataclass
class Model:
    """The arrays of the programme and what each column means."""

    arms: list[Arm]
    suppliers: list[str]
    line_suppliers: list[tuple[str, str]]
    c: np.ndarray
    integrality: np.ndarray
    bounds: Bounds
    constraints: list[LinearConstraint] = field(default_factory=list)

    def z(self, i: int) -> int:
        """Column of arm ``i``'s tier binary."""
        return i

    def k(self, i: int) -> int:
        """Column of arm ``i``'s multiples count."""
        return len(self.arms) + i


def exclusion(req: Requisition, offer: Offer) -> str | None:
    """Why ``offer`` cannot be used (eliminated, score, lead time), or ``None`` when usable."""
    supplier = req.supplier(offer.supplier_id)
    if supplier.eliminated:
        return f"supplier {supplier.supplier_id} is on the elimination list"
    if supplier.score < req.min_score:
        return f"supplier {supplier.supplier_id} score {supplier.score:g} < min_score {req.min_score:g}"
    if offer.lead_time_days > req.need_by_days:
        return f"lead time {offer.lead_time_days:g} days > need-by {req.need_by_days:g} days"
    return None


def _ceil(x: float) -> int:
    return math.ceil(x - _EPS)


def _floor(x: float) -> int:
    return math.floor(x + _EPS)


def tier_ranges(offer: Offer) -> list[tuple[int, int, int]]:
    """``(tier index, k_lo, k_hi)`` of every tier the offer can reach (MOQ, capacity,
    multiple and the next tier's start taken into account), without the line-quantity cap."""
    m = offer.multiple
    top = _floor(offer.capacity / m)
    out = []
    for t, tier in enumerate(offer.tiers):
        k_lo = max(_ceil(max(tier.min_qty, offer.moq) / m), 1)
        k_hi = top
        if t + 1 < len(offer.tiers):
            k_hi = min(k_hi, _ceil(offer.tiers[t + 1].min_qty / m) - 1)
        if k_lo <= k_hi:
            out.append((t, k_lo, k_hi))
    return out


def offer_arms(req: Requisition, offer: Offer, quantity: float) -> list[Arm]:
    """The arms of a usable ``offer`` on a line of ``quantity`` (bounds capped by the line
    quantity and the share cap; see the module docstring)."""
    cap = _ceil(quantity / offer.multiple)
    share = (_floor(req.max_share * quantity / offer.multiple)
             if req.max_share is not None else None)
    arms = []
    for t, k_lo, k_hi in tier_ranges(offer):
        k_hi = min(k_hi, max(k_lo, cap))
        if share is not None:
            k_hi = min(k_hi, share)
        if k_lo <= k_hi:
            arms.append(Arm(offer, t, k_lo, k_hi, offer.tiers[t].unit_price))
    return arms


def cover(i: int, arm: Arm, quantity: float, n_arms: int) -> tuple[int, float]:
    """The coverage-row entry (column, coefficient) of arm ``i`` on a line of ``quantity``:
    ``multiple × k`` — or, for an arm whose single allowed quantity covers the line alone
    (``k_lo = k_hi`` and ``multiple × k_lo >= quantity``), ``quantity × z``. The integer
    solutions are the same (such an arm, when chosen, covers the line either way), but the LP
    relaxation no longer counts units bought beyond the line quantity as coverage, which
    tightens its bound."""
    if arm.k_lo == arm.k_hi and arm.offer.multiple * arm.k_lo >= quantity - _EPS:
        return (i, quantity)
    return (n_arms + i, arm.offer.multiple)


class SparseRows:
    """Constraint rows collected one at a time, turned into one scipy ``LinearConstraint``."""

    def __init__(self) -> None:
        self._rows: list[int] = []
        self._cols: list[int] = []
        self._vals: list[float] = []
        self._lo: list[float] = []
        self._hi: list[float] = []

    def add(self, entries: list[tuple[int, float]], low: float, high: float) -> None:
        """One row ``low <= sum(value * x[col]) <= high`` over ``entries`` ``(col, value)``."""
        r = len(self._lo)
        for col, val in entries:
            self._rows.append(r)
            self._cols.append(col)
            self._vals.append(val)
        self._lo.append(low)
        self._hi.append(high)

    def constraint(self, n: int) -> LinearConstraint | None:
        """The rows over ``n`` columns, or None when there are none."""
        if not self._lo:
            return None
        matrix = sparse.csr_array((self._vals, (self._rows, self._cols)), shape=(len(self._lo), n))
        return LinearConstraint(matrix, np.array(self._lo), np.array(self._hi))


def build(req: Requisition, *, minimise_suppliers: bool = False) -> Model:
    """The programme of ``req`` (objective: landed cost, or the number of suppliers)."""
    need = {line.sku: line.quantity for line in req.lines}
    arms: list[Arm] = []
    for offer in req.offers:
        if offer.sku in need and exclusion(req, offer) is None:
            arms.extend(offer_arms(req, offer, need[offer.sku]))
    suppliers = sorted({a.offer.supplier_id for a in arms})
    s_col = {s: 2 * len(arms) + j for j, s in enumerate(suppliers)}
    per_line = req.max_suppliers_per_line is not None
    line_suppliers = sorted({(a.offer.sku, a.offer.supplier_id) for a in arms}) if per_line else []
    y_col = {key: 2 * len(arms) + len(suppliers) + j for j, key in enumerate(line_suppliers)}
    n = 2 * len(arms) + len(suppliers) + len(line_suppliers)

    c = np.zeros(n)
    lower, upper = np.zeros(n), np.ones(n)
    integrality = np.ones(n)
    for i, arm in enumerate(arms):
        upper[len(arms) + i] = arm.k_hi
        if not minimise_suppliers:
            c[len(arms) + i] = (arm.unit_price + req.delay_per_unit(arm.offer)) \
                * arm.offer.multiple
    for s, col in s_col.items():
        c[col] = 1.0 if minimise_suppliers else req.supplier(s).fixed_cost

    rows = SparseRows()
    row = rows.add

    by_offer: dict[str, list[int]] = {}
    for i, arm in enumerate(arms):
        by_offer.setdefault(arm.offer.offer_id, []).append(i)
        row([(len(arms) + i, 1.0), (i, -float(arm.k_lo))], 0.0, np.inf)
        row([(len(arms) + i, 1.0), (i, -float(arm.k_hi))], -np.inf, 0.0)
    for indices in by_offer.values():
        offer = arms[indices[0]].offer
        tiers = [(i, 1.0) for i in indices]
        row([*tiers, (s_col[offer.supplier_id], -1.0)], -np.inf, 0.0)
        if per_line:
            row([*tiers, (y_col[(offer.sku, offer.supplier_id)], -1.0)], -np.inf, 0.0)
    for line in req.lines:
        row([cover(i, a, line.quantity, len(arms)) for i, a in enumerate(arms)
             if a.offer.sku == line.sku],
            line.quantity, np.inf)
        if req.max_share is not None:
            for s in suppliers:
                entries = [(len(arms) + i, a.offer.multiple) for i, a in enumerate(arms)
                           if a.offer.sku == line.sku and a.offer.supplier_id == s]
                if entries:
                    row(entries, -np.inf, req.max_share * line.quantity)
        if per_line:
            entries = [(y_col[key], 1.0) for key in line_suppliers if key[0] == line.sku]
            if entries:
                row(entries, -np.inf, float(req.max_suppliers_per_line or 0))
    if req.max_suppliers is not None and suppliers:
        row([(col, 1.0) for col in s_col.values()], -np.inf, float(req.max_suppliers))

    constraint = rows.constraint(n)
    constraints = [constraint] if constraint is not None else []
    return Model(arms, suppliers, line_suppliers, c, integrality, Bounds(lower, upper), constraints)
