"""README figures agree with the results files they name (see ``tests/benchmarks/figures.py``)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from tests.benchmarks import figures


def test_every_readme_figure_agrees_with_its_results_file() -> None:
    assert figures.problems() == []


def test_the_figures_table_is_marked() -> None:
    marked = [f for r in figures.readmes() for f in figures.figures(r)]
    files = {f.file for f in marked}
    assert {"ingest.json", "dedup.json", "scorecards.json", "orders.json",
            "serving.json"} <= files
    assert len(marked) >= 30


@pytest.fixture
def tree(tmp_path: Path) -> tuple[Path, Path]:
    results = tmp_path / "results"
    results.mkdir()
    (results / "serving.json").write_text(json.dumps({"result": {
        "ratio": 0.915, "scorecard": {"requests_per_s": 4057.4, "p99_ms": 13.814},
        "rounds": [{"x": 1.25}], "speed": {"1.0": {"s": 25.62}}, "saving": 0.2468}}))
    return tmp_path, results


def _problems(tree: tuple[Path, Path], text: str) -> list[str]:
    root, results = tree
    (root / "README.md").write_text(text)
    return figures.problems(root, results)


def test_agreeing_figures_pass_with_rounding_commas_units_and_factors(tree) -> None:
    text = ("4,057 vs x: 0.92<!-- bench: serving.json result/ratio -->, "
            "4,057 req/s<!-- bench: serving.json result/scorecard/requests_per_s -->, "
            "p99 13.8 ms<!-- bench: serving.json result/scorecard/p99_ms -->, "
            "1.3<!-- bench: serving.json result/rounds/0/x -->, "  # 1.25 rounds half up
            "25.6 s<!-- bench: serving.json result/speed/1.0/s -->, "
            "25 %<!-- bench: serving.json result/saving x100 -->\n")
    assert _problems(tree, text) == []
    marked = list(figures.figures(tree[0] / "README.md"))
    assert [f.text for f in marked] == ["0.92", "4,057", "13.8", "1.3", "25.6", "25"]
    assert marked[-1].factor == Decimal(100)


def test_a_drifted_figure_fails_and_says_what_the_file_holds(tree) -> None:
    found = _problems(tree, "ratio 0.95<!-- bench: serving.json result/ratio -->\n")
    assert len(found) == 1
    assert "README says 0.95" in found[0] and "holds 0.915 (shown as 0.92)" in found[0]
    # the figure's own decimals set the precision: 13.814 is 13.81, not 13.82
    assert _problems(tree, "13.81 ms<!-- bench: serving.json result/scorecard/p99_ms -->\n") == []
    assert _problems(tree, "13.82 ms<!-- bench: serving.json result/scorecard/p99_ms -->\n")


def test_missing_file_key_or_non_number_fails(tree) -> None:
    assert "does not exist" in _problems(tree, "1<!-- bench: nope.json result/ratio -->")[0]
    missing = _problems(tree, "1<!-- bench: serving.json result/ratioo -->")[0]
    assert "no 'ratioo' under result" in missing and "'ratio'" in missing
    assert "not a number" in _problems(tree, "1<!-- bench: serving.json result/speed -->")[0]


def test_unmarked_timing_figures_fail_unless_declared_not_measured(tree) -> None:
    found = _problems(tree, "About 2 ms per order; demo init takes ~20 s on 2 cores; "
                            "4,000 req/s; 10,000 suppliers; every 15 min\n")
    assert [p.split(": ", 1)[1].split(" in ")[0] for p in found] == [
        "'2 ms'", "'20 s'", "'4,000 req/s'"]
    assert _problems(tree, "a 30 s<!-- not-measured --> timeout, F1 0.99 target\n") == []


def test_examples_in_inline_code_and_markdown_fences_are_not_checked(tree) -> None:
    text = ("Write `2 ms<!-- bench: nope.json x -->` like this:\n"
            "```markdown\n4 ms<!-- bench: nope.json result/x -->\n```\n"
            "```bash\nrun it   # ~20 s on 2 cores\n```\n")
    found = _problems(tree, text)
    assert len(found) == 1 and "'20 s'" in found[0]  # a bash block is still checked
