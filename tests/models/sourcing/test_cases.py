"""One small hand-checked requisition per constraint of issue #16, and the infeasible ones."""

from __future__ import annotations

import re
from typing import Any

import pytest

from models.sourcing import SourcingInputError, optimise, parse_requisition


def offer(offer_id: str, supplier_id: str, sku: str = "A", *, moq: float = 0, multiple: float = 1,
          capacity: float = 1000, lead: float = 1, tiers=((0, 10),)) -> dict[str, Any]:
    return {"offer_id": offer_id, "supplier_id": supplier_id, "sku": sku, "moq": moq,
            "multiple": multiple, "capacity": capacity, "lead_time_days": lead,
            "tiers": [{"min_qty": q, "unit_price": p} for q, p in tiers]}


def supplier(supplier_id: str, *, fixed: float = 0, score: float = 80,
             eliminated: bool = False) -> dict[str, Any]:
    return {"supplier_id": supplier_id, "fixed_cost": fixed, "score": score,
            "eliminated": eliminated}


def req(lines, offers, suppliers, **extra) -> dict[str, Any]:
    return {"lines": [{"sku": s, "quantity": q} for s, q in lines], "offers": offers,
            "suppliers": suppliers, "need_by_days": 10, "min_score": 50, **extra}


def solve(data: dict[str, Any]) -> dict[str, Any]:
    return optimise(parse_requisition(data)).to_dict()


def bought(plan: dict[str, Any]) -> dict[str, float]:
    return {a["offer_id"]: a["quantity"] for a in plan["allocations"]}


def reason_of(plan: dict[str, Any], offer_id: str) -> str:
    return next(n["reason"] for n in plan["not_used"] if n["offer_id"] == offer_id)


def test_all_units_tier_buys_more_when_the_whole_quantity_gets_cheaper():
    # 95 at 10 = 950 (tier 1) vs 100 at 9 = 900 (tier 2 prices all 100 units)
    plan = solve(req([("A", 95)], [offer("o1", "s1", tiers=((0, 10), (100, 9)))], [supplier("s1")]))
    assert plan["status"] == "optimal" and plan["total_cost"] == 900
    assert plan["allocations"][0]["unit_price"] == 9 and bought(plan) == {"o1": 100}
    assert plan["lines"] == [{"sku": "A", "quantity": 95, "bought": 100, "excess": 5,
                              "excess_reason": "o1 bought 100 to reach the tier at 100"}]
    assert plan["allocations"][0]["explanation"] == "tier 2/2 (>= 100 at 9)"


def test_tier_not_worth_reaching_stays_below_and_says_what_the_next_tier_needs():
    # 50 at 10 = 500 vs 100 at 9 = 900
    plan = solve(req([("A", 50)], [offer("o1", "s1", tiers=((0, 10), (100, 9)))], [supplier("s1")]))
    assert plan["total_cost"] == 500 and bought(plan) == {"o1": 50}
    assert plan["allocations"][0]["explanation"] == \
        "tier 1/2 (>= 0 at 10); next tier >= 100 at 9 needs 50 more"


def test_tier_min_qty_is_inclusive():
    plan = solve(req([("A", 100)], [offer("o1", "s1", tiers=((0, 10), (100, 9)))], [supplier("s1")]))
    assert plan["total_cost"] == 900 and plan["allocations"][0]["unit_price"] == 9


def test_moq_forces_an_excess_or_a_dearer_offer():
    offers = [offer("cheap", "s1", moq=30, tiers=((0, 5),)), offer("dear", "s2", tiers=((0, 8),))]
    suppliers = [supplier("s1"), supplier("s2")]
    # 10 units: MOQ 30 x 5 = 150 beats 10 x 8 = 80? no: 80 wins
    plan = solve(req([("A", 10)], offers, suppliers))
    assert bought(plan) == {"dear": 10} and plan["total_cost"] == 80
    assert reason_of(plan, "cheap") == "cheaper (5 < 8 paid) but that price needs >= 30 units " \
                                       "(line needs 10)"
    # 20 units: 30 x 5 = 150 beats 20 x 8 = 160, with an excess of 10 held at the MOQ
    plan = solve(req([("A", 20)], offers, suppliers))
    assert bought(plan) == {"cheap": 30} and plan["total_cost"] == 150
    assert plan["lines"][0]["excess"] == 10
    assert plan["lines"][0]["excess_reason"] == "cheap held at its MOQ 30"


def test_order_multiple_rounds_up():
    plan = solve(req([("A", 23)], [offer("o1", "s1", multiple=10)], [supplier("s1")]))
    assert bought(plan) == {"o1": 30} and plan["total_cost"] == 300
    assert plan["lines"][0]["excess_reason"] == "o1 sells in multiples of 10"


def test_fractional_multiples_and_tier_boundaries_are_exact():
    # multiples of 0.25; the tier at 2.5 prices every unit: 2.5 x 3 = 7.5 < 2.25 x 4 = 9
    plan = solve(req([("A", 2.1)], [offer("o1", "s1", multiple=0.25, tiers=((0, 4), (2.5, 3)))],
                     [supplier("s1")]))
    assert bought(plan) == {"o1": 2.5} and plan["total_cost"] == 7.5


def test_capacity_splits_a_line_between_offers():
    offers = [offer("cheap", "s1", capacity=60, tiers=((0, 5),)), offer("dear", "s2", tiers=((0, 8),))]
    plan = solve(req([("A", 100)], offers, [supplier("s1"), supplier("s2")]))
    assert bought(plan) == {"cheap": 60, "dear": 40} and plan["total_cost"] == 60 * 5 + 40 * 8


def test_lead_time_beyond_need_by_excludes_the_offer():
    offers = [offer("late", "s1", lead=11, tiers=((0, 1),)), offer("ok", "s2")]
    plan = solve(req([("A", 5)], offers, [supplier("s1"), supplier("s2")]))
    assert bought(plan) == {"ok": 5}
    assert reason_of(plan, "late") == "lead time 11 days > need-by 10 days"
    offers[0]["lead_time_days"] = 10  # exactly the need-by date is in time
    assert bought(solve(req([("A", 5)], offers, [supplier("s1"), supplier("s2")]))) == {"late": 5}


def test_eliminated_and_low_score_suppliers_are_excluded():
    offers = [offer("elim", "s1", tiers=((0, 1),)), offer("weak", "s2", tiers=((0, 2),)),
              offer("ok", "s3")]
    suppliers = [supplier("s1", eliminated=True), supplier("s2", score=49.5), supplier("s3")]
    plan = solve(req([("A", 5)], offers, suppliers))
    assert bought(plan) == {"ok": 5} and plan["suppliers_used"] == ["s3"]
    assert reason_of(plan, "elim") == "supplier s1 is on the elimination list"
    assert reason_of(plan, "weak") == "supplier s2 score 49.5 < min_score 50"
    # score == min_score is allowed
    suppliers[1]["score"] = 50
    assert bought(solve(req([("A", 5)], offers, suppliers))) == {"weak": 5}


def test_fixed_cost_consolidates_on_one_supplier():
    offers = [offer("a1", "s1", "A", tiers=((0, 10),)), offer("b1", "s1", "B", tiers=((0, 10),)),
              offer("b2", "s2", "B", tiers=((0, 9),))]
    suppliers = [supplier("s1", fixed=30), supplier("s2", fixed=30)]
    # B from s2 saves 10 x 1 = 10 < its fixed cost 30
    plan = solve(req([("A", 10), ("B", 10)], offers, suppliers))
    assert bought(plan) == {"a1": 10, "b1": 10} and plan["total_cost"] == 230
    assert reason_of(plan, "b2") == "cheaper (9 < 10 paid) but supplier fixed cost 30 " \
                                    "outweighs the saving"


def test_max_suppliers_caps_the_plan():
    offers = [offer("a1", "s1", "A", tiers=((0, 10),)), offer("b1", "s1", "B", tiers=((0, 10),)),
              offer("b2", "s2", "B", tiers=((0, 5),))]
    suppliers = [supplier("s1"), supplier("s2")]
    free = solve(req([("A", 10), ("B", 10)], offers, suppliers))
    assert bought(free) == {"a1": 10, "b2": 10} and free["total_cost"] == 150
    capped = solve(req([("A", 10), ("B", 10)], offers, suppliers, max_suppliers=1))
    assert bought(capped) == {"a1": 10, "b1": 10} and capped["total_cost"] == 200
    assert capped["suppliers_used"] == ["s1"]
    assert "max_suppliers 1 reached" in reason_of(capped, "b2")


def test_share_cap_spreads_a_line():
    offers = [offer("o1", "s1", tiers=((0, 5),)), offer("o2", "s2", tiers=((0, 6),)),
              offer("o3", "s3", tiers=((0, 7),))]
    suppliers = [supplier("s1"), supplier("s2"), supplier("s3")]
    plan = solve(req([("A", 100)], offers, suppliers, max_share=0.4))
    assert bought(plan) == {"o1": 40, "o2": 40, "o3": 20}
    assert plan["total_cost"] == 40 * 5 + 40 * 6 + 20 * 7


def test_per_line_supplier_cap():
    offers = [offer("o1", "s1", capacity=60, tiers=((0, 5),)), offer("o2", "s2", tiers=((0, 6),))]
    plan = solve(req([("A", 100)], offers, [supplier("s1"), supplier("s2")],
                     max_suppliers_per_line=1))
    assert bought(plan) == {"o2": 100} and plan["total_cost"] == 600


@pytest.mark.parametrize(("data", "reason"), [
    (req([("A", 5)], [], [supplier("s1")]), "line A: no offer for this SKU"),
    (req([("A", 5)], [offer("o1", "s1", lead=12), offer("o2", "s2")],
         [supplier("s1"), supplier("s2", eliminated=True)]),
     ("line A: no usable offer (o1: lead time 12 days > need-by 10 days; "
     "o2: supplier s2 is on the elimination list)")),
    (req([("A", 5)], [offer("o1", "s1")], [supplier("s1", score=10)]),
     "line A: no usable offer (o1: supplier s1 score 10 < min_score 50)"),
    (req([("A", 100)], [offer("o1", "s1", capacity=30), offer("o2", "s2", capacity=45)],
         [supplier("s1"), supplier("s2")]),
     "line A: capacity of the usable offers 75 < quantity 100"),
    (req([("A", 100)], [offer("o1", "s1", capacity=30, multiple=20)], [supplier("s1")]),
     "line A: capacity of the usable offers 20 < quantity 100"),
    (req([("A", 5)], [offer("o1", "s1", moq=50, capacity=40)], [supplier("s1")]),
     "line A: no usable offer can reach a priced tier within its MOQ, capacity and multiple"),
    (req([("A", 10)], [offer("o1", "s1"), offer("o2", "s2")], [supplier("s1"), supplier("s2")],
         max_share=0.4),
     ("line A: max_share 0.4 caps each supplier at 4; the 2 usable supplier(s) reach 8 < "
     "quantity 10")),
    (req([("A", 10), ("B", 10)], [offer("a", "s1", "A"), offer("b", "s2", "B")],
         [supplier("s1"), supplier("s2")], max_suppliers=1),
     "max_suppliers 1 is too small: a plan needs at least 2 suppliers"),
    (req([("A", 100)], [offer("o1", "s1", capacity=60), offer("o2", "s2", capacity=60)],
         [supplier("s1"), supplier("s2")], max_suppliers_per_line=1),
     ("max_suppliers_per_line 1 is too small for the MOQs, multiples, capacities and share cap "
     "of some line")),
])
def test_infeasible_requisitions_say_why(data, reason):
    plan = solve(data)
    assert plan["status"] == "infeasible"
    assert plan["reason"] == reason
    assert plan["allocations"] == [] and plan["suppliers_used"] == []


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d.pop("lines"), "requisition: missing field 'lines'"),
    (lambda d: d["lines"].append({"sku": "A", "quantity": 1}), "duplicate line sku"),
    (lambda d: d["lines"][0].update(quantity=0), "lines[0].quantity must be > 0"),
    (lambda d: d["offers"][0].update(multiple=0), "offers[0].multiple must be > 0"),
    (lambda d: d["offers"][0].update(supplier_id="zz"), "supplier 'zz' is not in suppliers"),
    (lambda d: d["suppliers"][0].update(eliminated="no"), "eliminated must be true or false"),
    (lambda d: d.update(max_share=1.5), "max_share must be in (0, 1]"),
    (lambda d: d.update(max_suppliers=0), "max_suppliers must be an integer >= 1"),
    (lambda d: d["offers"][0].update(tiers=[]), "tiers must be a non-empty list"),
    (lambda d: d["offers"][0].update(late_probability=1.5),
     "offers[0].late_probability must be <= 1, got 1.5"),
    (lambda d: d["offers"][0].update(late_probability="high"),
     "offers[0].late_probability must be a finite number"),
    (lambda d: d.update(delay_cost_per_unit=-1),
     "requisition.delay_cost_per_unit must be >= 0.0, got -1"),
])
def test_malformed_requisitions_are_rejected(mutate, message):
    data = req([("A", 5)], [offer("o1", "s1")], [supplier("s1")])
    mutate(data)
    with pytest.raises(SourcingInputError, match=re.escape(message)):
        parse_requisition(data)


def test_expected_delay_cost_is_added_to_the_cost_and_can_change_the_winner():
    # o1: 10 + 0.1 x 4 = 10.4 per unit beats o2 at 11 (never late): 1000 + expected 40 = 1040
    offers = [offer("o1", "s1", tiers=((0, 10),)), offer("o2", "s2", tiers=((0, 11),))]
    offers[0]["late_probability"] = 0.1
    data = req([("A", 100)], offers, [supplier("s1"), supplier("s2")], delay_cost_per_unit=4)
    plan = solve(data)
    assert plan["status"] == "optimal" and plan["total_cost"] == 1040
    assert plan["expected_delay_cost"] == 40
    assert [(a["offer_id"], a["quantity"], a["unit_price"], a["cost"], a["expected_delay_cost"])
            for a in plan["allocations"]] == [("o1", 100, 10, 1000, 40)]
    assert reason_of(plan, "o2") == ("dearer: its best unit price 11 >= 10.4 paid on this line "
                                     "(unit prices include the expected delay cost)")
    # o1 late half the time: 10 + 0.5 x 4 = 12 per unit, so o2 at 11 wins: 1100, nothing expected
    offers[0]["late_probability"] = 0.5
    plan = solve(data)
    assert plan["total_cost"] == 1100 and bought(plan) == {"o2": 100}
    assert plan["expected_delay_cost"] == 0 and plan["allocations"][0]["expected_delay_cost"] == 0
    assert reason_of(plan, "o1") == ("dearer: its best unit price 12 >= 11 paid on this line "
                                     "(unit prices include the expected delay cost)")


def test_without_a_delay_cost_the_output_has_no_delay_fields():
    offers = [offer("o1", "s1")]
    offers[0]["late_probability"] = 0.9
    plan = solve(req([("A", 5)], offers, [supplier("s1")]))
    assert plan["total_cost"] == 50 and "expected_delay_cost" not in plan
    assert "expected_delay_cost" not in plan["allocations"][0]
