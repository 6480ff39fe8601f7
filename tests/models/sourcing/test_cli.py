"""``grouplake sourcing optimise REQUISITION.json`` end to end through the root command."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from grouplake.cli import app

runner = CliRunner()

REQUISITION = {
    "lines": [{"sku": "A", "quantity": 95}, {"sku": "B", "quantity": 40}],
    "offers": [
        {"offer_id": "o1", "supplier_id": "s1", "sku": "A", "moq": 10, "multiple": 10,
         "capacity": 500, "lead_time_days": 5,
         "tiers": [{"min_qty": 0, "unit_price": 10}, {"min_qty": 100, "unit_price": 8}]},
        {"offer_id": "o2", "supplier_id": "s2", "sku": "A", "moq": 1, "multiple": 1,
         "capacity": 1000, "lead_time_days": 3, "tiers": [{"min_qty": 0, "unit_price": 9}]},
        {"offer_id": "o3", "supplier_id": "s2", "sku": "B", "moq": 1, "multiple": 1,
         "capacity": 1000, "lead_time_days": 3, "tiers": [{"min_qty": 0, "unit_price": 5}]},
        {"offer_id": "o4", "supplier_id": "s3", "sku": "B", "moq": 1, "multiple": 1,
         "capacity": 1000, "lead_time_days": 3, "tiers": [{"min_qty": 0, "unit_price": 1}]},
    ],
    "suppliers": [{"supplier_id": "s1", "fixed_cost": 50, "score": 80, "eliminated": False},
                  {"supplier_id": "s2", "fixed_cost": 20, "score": 70, "eliminated": False},
                  {"supplier_id": "s3", "fixed_cost": 0, "score": 90, "eliminated": True}],
    "need_by_days": 7,
    "min_score": 60,
}


def test_optimise_prints_the_plan(tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps(REQUISITION))
    result = runner.invoke(app, ["sourcing", "optimise", str(path)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    # A: 100 from o1 at tier 2 (8) + s1 fixed 50 = 850 beats 95 x 9 = 855 from s2 (whose fixed
    # cost is paid anyway for B); B: 40 x 5 from s2 + 20; o4 is eliminated.
    assert plan["status"] == "optimal" and plan["total_cost"] == 1070
    assert [(a["offer_id"], a["supplier_id"], a["sku"], a["quantity"], a["unit_price"], a["cost"])
            for a in plan["allocations"]] == [("o1", "s1", "A", 100, 8, 800),
                                               ("o3", "s2", "B", 40, 5, 200)]
    assert plan["suppliers_used"] == ["s1", "s2"] and "reason" not in plan
    assert {n["offer_id"]: n["reason"] for n in plan["not_used"]} == {
        "o2": "dearer: its best unit price 9 >= 8 paid on this line",
        "o4": "supplier s3 is on the elimination list"}


def test_infeasible_plan_exits_1_with_the_reason(tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps({**REQUISITION, "need_by_days": 2}))
    result = runner.invoke(app, ["sourcing", "optimise", str(path)])
    assert result.exit_code == 1
    plan = json.loads(result.stdout)
    assert plan["status"] == "infeasible" and plan["allocations"] == []
    assert plan["reason"] == (
        "line A: no usable offer (o1: lead time 5 days > need-by 2 days; o2: lead time 3 days > "
        "need-by 2 days); line B: no usable offer (o3: lead time 3 days > need-by 2 days; "
        "o4: supplier s3 is on the elimination list)")


def test_max_suppliers_one_consolidates_on_the_supplier_offering_everything(tmp_path):
    path = tmp_path / "req.json"
    path.write_text(json.dumps({**REQUISITION, "max_suppliers": 1}))
    plan = json.loads(runner.invoke(app, ["sourcing", "optimise", str(path)]).stdout)
    assert plan["status"] == "optimal" and plan["suppliers_used"] == ["s2"]
    assert plan["total_cost"] == 95 * 9 + 40 * 5 + 20


def test_bad_input_exits_2(tmp_path):
    missing = runner.invoke(app, ["sourcing", "optimise", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    assert runner.invoke(app, ["sourcing", "optimise", str(path)]).exit_code == 2
    path.write_text(json.dumps({**REQUISITION, "min_score": "high"}))
    bad = runner.invoke(app, ["sourcing", "optimise", str(path)])
    assert bad.exit_code == 2
    assert "requisition.min_score must be a finite number, got 'high'" in bad.stderr


def test_optional_late_probability_and_delay_cost_are_read_and_explained(tmp_path):
    data = json.loads(json.dumps(REQUISITION))
    data["offers"][0]["late_probability"] = 0.25  # o1 (A, s1)
    data["delay_cost_per_unit"] = 2
    path = tmp_path / "req.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(app, ["sourcing", "optimise", str(path)])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    # A: o1 now costs 800 + 50 fixed + 100 x 0.25 x 2 = 900 > 95 x 9 = 855 from s2 (paid anyway)
    assert plan["total_cost"] == 95 * 9 + 40 * 5 + 20 and plan["expected_delay_cost"] == 0
    assert [(a["offer_id"], a["quantity"], a["expected_delay_cost"])
            for a in plan["allocations"]] == [("o2", 95, 0), ("o3", 40, 0)]
