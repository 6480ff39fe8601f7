"""The cheapest way to cover one line alone, by dynamic programming over units covered.

A line on its own (its usable offers, all-units tiers, MOQ, multiple, capacity, the share cap
already folded into each offer's arm bounds; no fixed costs, discounts or supplier caps) is a
covering knapsack with one piecewise price per offer. When every multiple is a whole number,
``f[c]`` = the least cost of covering at least ``c`` units with the offers seen so far is
exact over ``c = 0 … ceil(quantity)``: an offer adds ``multiple × k`` units at
``(unit price + per-unit extras) × multiple × k`` for every ``k`` of every arm
(:func:`models.sourcing.model.offer_arms`, the MILP's own domain), or nothing. This replaces a
small MILP per line (the per-line optima of :func:`models.sourcing.award.line_optima`) by a few
array operations; :func:`line_optimum` says ``None`` when the DP does not apply (fractional
multiples, a supplier with two offers on the line under a share cap, a per-line supplier cap)
and the caller solves the MILP instead.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.ndimage import minimum_filter1d

from models.sourcing.model import exclusion, offer_arms
from models.sourcing.spec import Offer, Requisition

#: tolerance on whole-number multiples and on matching costs when reading the choice back.
_EPS = 1e-9

#: the DP is used up to this many units per line (beyond, the MILP).
MAX_UNITS = 20_000


class Infeasible:
    """The line cannot be covered by its usable offers alone."""


INFEASIBLE = Infeasible()


def line_optimum(req: Requisition, sku: str, quantity: float, extra: dict[str, float],
                 offers: list[Offer] | None = None, scale: dict[str, float] | None = None
                 ) -> tuple[float, dict[str, tuple[int, float]]] | Infeasible | None:
    """``(least cost, {offer_id: (tier, quantity)})`` of covering ``quantity`` of ``sku``
    alone, where each unit of an offer costs its tier price plus ``extra[offer_id]`` (freight)
    plus the requisition's expected delay cost; :data:`INFEASIBLE` when no combination covers
    it; ``None`` when the DP does not apply (see the module docstring). ``offers``: only these
    of the line's offers (default: all of them); ``scale``: a factor on the tier prices of
    some suppliers (1 - a discount they are taken to earn; default none)."""
    if req.max_suppliers_per_line is not None:
        return None
    if offers is None:
        offers = [o for o in req.offers if o.sku == sku]
    offers = [o for o in offers if exclusion(req, o) is None]
    if req.max_share is not None:
        suppliers = [o.supplier_id for o in offers]
        if len(set(suppliers)) != len(suppliers):
            return None
    if any(abs(o.multiple - round(o.multiple)) > _EPS for o in offers):
        return None
    units = math.ceil(quantity - _EPS)
    if units > MAX_UNITS:
        return None
    stages: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    f = np.full(units + 1, np.inf)
    f[0] = 0.0
    history = [f]
    span = np.arange(units + 1)
    for o in offers:
        m = round(o.multiple)
        per_unit = extra.get(o.offer_id, 0.0) + req.delay_per_unit(o)
        factor = scale.get(o.supplier_id, 1.0) if scale else 1.0
        tiers, qty, cost = [], [], []
        for arm in offer_arms(req, o, quantity):
            ks = np.arange(arm.k_lo, arm.k_hi + 1)
            tiers.append(np.full(ks.size, arm.tier))
            qty.append(ks * m)
            cost.append(ks * (m * (arm.unit_price * factor + per_unit)))
        if not qty:
            continue
        t, q, c = np.concatenate(tiers), np.concatenate(qty), np.concatenate(cost)
        best = f.copy()
        for arm in offer_arms(req, o, quantity):
            best = np.minimum(best, _with_arm(f, span, m, arm.k_lo, arm.k_hi,
                                              m * (arm.unit_price * factor + per_unit)))
        f = best
        stages.append((o.offer_id, t, q, c))
        history.append(f)
    if not math.isfinite(f[units]):
        return INFEASIBLE
    choice: dict[str, tuple[int, float]] = {}
    target = units
    for j in range(len(stages), 0, -1):
        now, before = history[j][target], history[j - 1][target]
        if before <= now + _EPS * max(1.0, abs(now)):
            continue  # this offer is not needed for the optimum at this point
        offer_id, t, q, c = stages[j - 1]
        totals = history[j - 1][np.maximum(target - q, 0)] + c
        pick = int(np.argmin(np.abs(totals - now)))
        choice[offer_id] = (int(t[pick]), float(q[pick]))
        target = max(target - int(q[pick]), 0)
    return float(f[units]), choice


def _with_arm(f: np.ndarray, span: np.ndarray, m: int, lo: int, hi: int,
              per_multiple: float) -> np.ndarray:
    """``g[c] = min over k in [lo, hi] of f[max(0, c − m·k)] + per_multiple · k``, in O(units)
    per residue class: the price is linear in ``k`` within one tier, so with
    ``H[r] = f[r] − (per_multiple / m) · r`` the terms with ``c − m·k >= 1`` are
    ``(per_multiple / m) · c + H[c − m·k]``, a sliding-window minimum over ``k``; the terms with
    ``m·k >= c`` cover ``c`` on their own at the smallest such ``k``."""
    g = np.full(f.size, np.inf)
    k = np.maximum(lo, -(-span // m))  # the smallest k covering c alone
    alone = k <= hi
    g[alone] = k[alone] * per_multiple
    unit = per_multiple / m
    h = f - unit * span
    h[0] = np.inf  # r = 0 is the "alone" case
    width = hi - lo + 1
    for rho in range(min(m, f.size)):
        a = h[rho::m]
        if a.size <= lo:
            continue
        # trailing[i] = min a[i − width + 1 … i]; the window of k in [lo, hi] at j is
        # a[j − hi … j − lo] = trailing[j − lo]
        trailing = minimum_filter1d(a, size=width, mode="constant", cval=np.inf,
                                    origin=(width - 1) // 2) if width > 1 else a
        window = np.full(a.size, np.inf)
        window[lo:] = trailing[:a.size - lo]
        g[rho::m] = np.minimum(g[rho::m], window + unit * span[rho::m])
    return g
