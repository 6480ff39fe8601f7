"""The sourcing-event award (tiers, freight, bundle and spend discounts) against an independent
exhaustive enumeration on small seeded events, plus hand-checked explanations."""

from __future__ import annotations

import functools
import itertools
import math
import random

import pytest

from models.sourcing import parse_requisition
from models.sourcing.award import Bundle, Tender, award, brute_force, landed_cost
from models.sourcing.errors import SourcingInputError

SEEDS = range(60)


@functools.cache
def _tender(seed: int) -> Tender:
    rng = random.Random(seed)
    n_lines, n_sup = rng.choice([(2, 3), (3, 2), (2, 2)])
    lines = [{"sku": f"L{i}", "quantity": rng.randint(3, 7)} for i in range(n_lines)]
    sups = [{"supplier_id": f"S{j}", "fixed_cost": 0, "score": 80, "eliminated": False}
            for j in range(n_sup)]
    offers = []
    for line in lines:
        for sup in sups:
            if rng.random() < 0.15:
                continue
            base = rng.randint(8, 14)
            first = rng.randint(2, 8)
            tiers = [{"min_qty": 1, "unit_price": base},
                     {"min_qty": first, "unit_price": base - rng.randint(1, 3)}]
            offers.append({"offer_id": f"{line['sku']}-{sup['supplier_id']}", "sku": line["sku"],
                           "supplier_id": sup["supplier_id"], "moq": rng.choice([0, 0, 2]),
                           "multiple": rng.choice([1, 1, 2]), "capacity": rng.randint(3, 9),
                           "lead_time_days": 1, "tiers": tiers})
    data = {"lines": lines, "offers": offers, "suppliers": sups, "need_by_days": 10,
            "min_score": 0}
    if rng.random() < 0.3:
        data["max_suppliers"] = rng.randint(1, 2)
    if rng.random() < 0.3:
        data["max_share"] = 0.7
    req = parse_requisition(data)
    bundles = []
    for sup in sups:
        sid = sup["supplier_id"]
        if rng.random() < 0.6:
            skus = tuple(rng.sample([ln["sku"] for ln in lines], 2))
            bundles.append(Bundle(f"B-{sid}", sid, "lines", rng.choice([0.05, 0.1, 0.2]), skus))
        if rng.random() < 0.5:
            bundles.append(Bundle(f"P-{sid}", sid, "spend", 0.08, min_spend=rng.randint(40, 120)))
        if rng.random() < 0.2:
            bundles.append(Bundle(f"Q-{sid}", sid, "spend", 0.12, min_spend=rng.randint(80, 160)))
    freight = {o["offer_id"]: rng.choice([0.0, 0.5, 1.5]) for o in offers}
    return Tender(req, freight, tuple(bundles))


def _price(offer, quantity: float) -> tuple[int, float] | None:
    reached = [t for t, tier in enumerate(offer.tiers) if tier.min_qty <= quantity]
    return (reached[-1], offer.tiers[reached[-1]].unit_price) if reached else None


def _independent_brute(tender: Tender) -> float | None:
    """Every quantity per offer (multiples; MOQ, capacity; at most the line quantity rounded up
    to the multiple, or exactly a tier's floor), priced by its own reached tier."""
    req = tender.requisition
    need = {ln.sku: ln.quantity for ln in req.lines}
    options = []
    for o in req.offers:
        m = o.multiple
        cap_k = math.ceil(need[o.sku] / m)
        floors = {max(math.ceil(max(t.min_qty, o.moq) / m), 1) for t in o.tiers}
        opts = [0.0]
        for k in range(1, int(o.capacity // m) + 1):
            q = k * m
            if q < o.moq or _price(o, q) is None:
                continue
            if req.max_share is not None and q > req.max_share * need[o.sku] + 1e-9:
                continue
            if k <= cap_k or k in floors:
                opts.append(q)
        options.append(opts)
    best = None
    for combo in itertools.product(*options):
        bought = {sku: 0.0 for sku in need}
        for o, q in zip(req.offers, combo, strict=True):
            bought[o.sku] += q
        if any(bought[s] < need[s] for s in need):
            continue
        used = {o.supplier_id for o, q in zip(req.offers, combo, strict=True) if q}
        if req.max_suppliers is not None and len(used) > req.max_suppliers:
            continue
        choice = {o.offer_id: (_price(o, q)[0], q)
                  for o, q in zip(req.offers, combo, strict=True) if q}
        cost = landed_cost(tender, choice)[0]
        best = cost if best is None else min(best, cost)
    return best


@functools.cache
def _award(seed: int):
    return award(_tender(seed))


@pytest.mark.parametrize("seed", SEEDS)
def test_award_equals_brute_force(seed: int) -> None:
    tender = _tender(seed)
    expected = _independent_brute(tender)
    result = _award(seed)
    if expected is None:
        assert result.status == "infeasible"
        return
    assert result.status == "optimal", result.reason
    assert result.total_cost == pytest.approx(expected, abs=1e-6)
    # the library's own enumeration agrees too
    assert brute_force(tender)[0] == pytest.approx(expected, abs=1e-6)


def test_random_events_exercise_bundles() -> None:
    """The seeds above include awards where a bundle or a spend discount is taken."""
    taken = [bool(_award(s).bundles) for s in SEEDS]
    assert sum(taken) >= 10


def _two_line_event(bundle_discount: float) -> Tender:
    req = parse_requisition({
        "lines": [{"sku": "A", "quantity": 10}, {"sku": "B", "quantity": 10}],
        "suppliers": [{"supplier_id": s, "fixed_cost": 0, "score": 90, "eliminated": False}
                      for s in ("CHEAP", "BUNDLER")],
        "offers": [
            {"offer_id": "A-CHEAP", "supplier_id": "CHEAP", "sku": "A", "moq": 0, "multiple": 1,
             "capacity": 100, "lead_time_days": 1, "tiers": [{"min_qty": 1, "unit_price": 10}]},
            {"offer_id": "A-BUNDLER", "supplier_id": "BUNDLER", "sku": "A", "moq": 0,
             "multiple": 1, "capacity": 100, "lead_time_days": 1,
             "tiers": [{"min_qty": 1, "unit_price": 11}]},
            {"offer_id": "B-BUNDLER", "supplier_id": "BUNDLER", "sku": "B", "moq": 0,
             "multiple": 1, "capacity": 100, "lead_time_days": 1,
             "tiers": [{"min_qty": 1, "unit_price": 20}, {"min_qty": 10, "unit_price": 18}]},
        ],
        "need_by_days": 5, "min_score": 0})
    return Tender(req, {}, (Bundle("BX", "BUNDLER", "lines", bundle_discount, ("A", "B")),))


def test_bundle_beats_a_cheaper_line_price_and_says_why() -> None:
    # BUNDLER: A 110 + B 180 = 290, 10% off = 261; CHEAP on A: 100 + 180 = 280.
    result = award(_two_line_event(0.10))
    assert result.status == "optimal"
    assert result.total_cost == pytest.approx(261)
    assert [(a.offer_id, a.quantity, a.tier) for a in result.allocations] == [
        ("A-BUNDLER", 10, 0), ("B-BUNDLER", 10, 1)]
    assert result.bundles[0].bundle_id == "BX"
    assert result.bundles[0].discount_amount == pytest.approx(29)
    lost = {u["offer_id"]: u["reason"] for u in result.not_used}
    assert "cheaper (10 < 11 paid)" in lost["A-CHEAP"]
    assert "bundle BX" in lost["A-CHEAP"]
    assert "tier 2/2" in result.allocations[1].explanation


def test_small_bundle_is_not_taken_and_says_why() -> None:
    # 2% off 290 = 284.2 > 280: the cheaper line price wins, the bundle is not met (a token
    # unit of A to BUNDLER does not earn it: the bundle needs the whole of each line).
    result = award(_two_line_event(0.02))
    assert result.total_cost == pytest.approx(280)
    assert result.not_applied[0]["bundle_id"] == "BX"
    assert "not awarded the whole of line(s) A" in result.not_applied[0]["reason"]


def test_discounts_of_one_supplier_may_not_reach_100_percent() -> None:
    req = _two_line_event(0.1).requisition
    with pytest.raises(SourcingInputError, match="100%"):
        Tender(req, {}, (Bundle("X", "BUNDLER", "lines", 0.6, ("A", "B")),
                         Bundle("Y", "BUNDLER", "spend", 0.5, min_spend=1)))


def _feasible(tender: Tender, choice) -> bool:
    from models.sourcing.model import offer_arms

    req = tender.requisition
    offers = {o.offer_id: o for o in req.offers}
    need = {line.sku: line.quantity for line in req.lines}
    for offer_id, (tier, qty) in choice.items():
        o = offers[offer_id]
        if not any(a.tier == tier and a.k_lo * o.multiple <= qty <= a.k_hi * o.multiple
                   for a in offer_arms(req, o, need[o.sku])):
            return False
    covered = {sku: sum(q for o, (_, q) in choice.items() if offers[o].sku == sku) for sku in need}
    used = {offers[o].supplier_id for o in choice}
    return all(covered[s] >= need[s] - 1e-9 for s in need) and (
        req.max_suppliers is None or len(used) <= req.max_suppliers)


def test_improve_gives_a_lines_bundle_its_whole_lines():
    # union of the per-line optima: A from s1 (10 x 100), B from s2 (10 x 100) = 2000;
    # s2 taking both lines: (10.5 x 100 + 10 x 100) x 0.9 = 1845
    from models.sourcing.award import improve

    offers = [{"offer_id": f"{sku}-{s}", "sku": sku, "supplier_id": s, "moq": 0, "multiple": 1,
               "capacity": 1000, "lead_time_days": 1, "tiers": [{"min_qty": 0, "unit_price": p}]}
              for sku, s, p in (("A", "s1", 10), ("A", "s2", 10.5), ("B", "s2", 10))]
    req = parse_requisition({"lines": [{"sku": "A", "quantity": 100}, {"sku": "B", "quantity": 100}],
                             "offers": offers, "need_by_days": 5, "min_score": 0,
                             "suppliers": [{"supplier_id": s, "fixed_cost": 0, "score": 80,
                                            "eliminated": False} for s in ("s1", "s2")]})
    tender = Tender(req, {}, (Bundle("b", "s2", "lines", 0.1, ("A", "B")),))
    start = {"A-s1": (0, 100.0), "B-s2": (0, 100.0)}
    better = improve(tender, start)
    assert better == {"A-s2": (0, 100.0), "B-s2": (0, 100.0)}
    assert math.isclose(landed_cost(tender, better)[0], 1845)
    assert math.isclose(award(tender).total_cost, 1845)


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_improve_keeps_the_award_feasible_and_never_dearer(seed):
    from models.sourcing.award import improve, line_optima

    tender = _tender(seed)
    _, union = line_optima(tender, 10)
    if union is None or not _feasible(tender, union):
        return
    better = improve(tender, union)
    assert _feasible(tender, better)
    assert landed_cost(tender, better)[0] <= landed_cost(tender, union)[0] + 1e-9
    expected = brute_force(tender)
    assert expected is not None and landed_cost(tender, better)[0] >= expected[0] - 1e-6


@pytest.mark.parametrize("seed", range(0, 60, 2))
def test_line_dp_equals_the_line_milp(seed):
    """The per-line dynamic programme gives the same optimum as the per-line MILP, and its
    choice covers the line at that cost."""
    import dataclasses

    from scipy.optimize import milp

    from models.sourcing.award import _extend
    from models.sourcing.linedp import INFEASIBLE, line_optimum

    tender = _tender(seed)
    req = tender.requisition
    free = tuple(dataclasses.replace(s, fixed_cost=0.0) for s in req.suppliers)
    for line in req.lines:
        sub = dataclasses.replace(req, lines=(line,), suppliers=free, max_suppliers=None,
                                  offers=tuple(o for o in req.offers if o.sku == line.sku))
        model, c, integrality, bounds, constraints = _extend(Tender(sub, tender.freight, ()))
        result = milp(c, integrality=integrality, bounds=bounds, constraints=constraints,
                      options={"mip_rel_gap": 0.0}) if model.arms else None
        solved = line_optimum(req, line.sku, line.quantity, tender.freight)
        if result is None or result.status == 2:
            assert solved is INFEASIBLE
            continue
        assert solved is not None and solved is not INFEASIBLE
        cost, choice = solved
        assert math.isclose(cost, result.fun, rel_tol=1e-9, abs_tol=1e-6)
        assert sum(q for _, q in choice.values()) >= line.quantity
        assert math.isclose(landed_cost(Tender(sub, tender.freight, ()), choice)[0], cost,
                            rel_tol=1e-9, abs_tol=1e-6)


def test_line_dp_declines_fractional_multiples():
    from models.sourcing.linedp import line_optimum

    req = parse_requisition({
        "lines": [{"sku": "A", "quantity": 1}], "need_by_days": 5, "min_score": 0,
        "offers": [{"offer_id": "o", "sku": "A", "supplier_id": "s", "moq": 0, "multiple": 0.5,
                    "capacity": 10, "lead_time_days": 1,
                    "tiers": [{"min_qty": 0, "unit_price": 3}]}],
        "suppliers": [{"supplier_id": "s", "fixed_cost": 0, "score": 80, "eliminated": False}]})
    assert line_optimum(req, "A", 1, {}) is None
    assert award(Tender(req)).total_cost == 3


@pytest.mark.parametrize("seed", range(1, 60, 3))
def test_reprice_keeps_the_award_feasible_and_never_dearer(seed):
    from models.sourcing.award import improve, line_optima, reprice

    tender = _tender(seed)
    _, union = line_optima(tender, 10)
    if union is None or not _feasible(tender, union):
        return
    start = improve(tender, union)
    better = reprice(tender, start)
    assert _feasible(tender, better)
    assert landed_cost(tender, better)[0] <= landed_cost(tender, start)[0] + 1e-9
    expected = brute_force(tender)
    assert expected is not None and landed_cost(tender, better)[0] >= expected[0] - 1e-6
