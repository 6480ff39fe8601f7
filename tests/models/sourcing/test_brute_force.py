"""The optimiser against exhaustive enumeration on 200 small seeded random requisitions."""

from __future__ import annotations

import functools

import pytest

from models.sourcing import optimise, parse_requisition
from tests.models.sourcing.brute import brute_force, close, plan_cost, random_requisition

SEEDS = range(200)


@functools.cache
def _expected(seed: int) -> float | None:
    return brute_force(random_requisition(seed))


def test_the_random_instances_cover_every_case():
    """The generator makes feasible and infeasible instances, and every optional cap."""
    reqs = [random_requisition(seed) for seed in SEEDS]
    answers = [_expected(seed) for seed in SEEDS]
    assert sum(a is None for a in answers) >= 50
    assert sum(a is not None for a in answers) >= 50
    for key in ("max_suppliers", "max_share", "max_suppliers_per_line"):
        assert sum(key in r for r in reqs) >= 20


@pytest.mark.parametrize("seed", SEEDS)
def test_same_optimal_cost_as_brute_force(seed):
    req = random_requisition(seed)
    expected = _expected(seed)
    plan = optimise(parse_requisition(req)).to_dict()
    if expected is None:
        assert plan["status"] == "infeasible"
        assert plan["reason"]
        return
    assert plan["status"] == "optimal"
    assert close(plan["total_cost"], expected), (plan, expected)
    assert close(plan_cost(req, plan), expected)
