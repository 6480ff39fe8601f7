"""House rules of the dbt project that a review would otherwise have to catch, read from the
model files themselves (no dbt run): intermediate models never depend on a mart, and the
expressions the project has macros for are not written out again in a model."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[2] / "dbt_project" / "models"
REF = re.compile(r"""ref\(\s*['"](\w+)['"]\s*\)""")


def _models(folder: str, suffixes: tuple[str, ...] = (".sql", ".py", ".yml")) -> list[Path]:
    return sorted(p for p in (MODELS / folder).rglob("*") if p.suffix in suffixes)


def _sql(path: Path) -> str:
    """The SQL of a model without its Jinja comments (docs may name anything)."""
    return re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_no_intermediate_model_refs_a_mart():
    marts = {p.stem for p in _models("marts", (".sql", ".py"))}
    offending = {
        (path.relative_to(MODELS).as_posix(), name)
        for path in _models("intermediate")
        for name in REF.findall(path.read_text(encoding="utf-8"))  # unit-test inputs included
        if name in marts
    }
    assert marts and not offending


def test_the_erp_vendor_crosswalk_is_one_model():
    """ERP vendor -> golden supplier is int_erp_vendors__resolved; nothing else re-derives it."""
    derived = [path.relative_to(MODELS).as_posix() for path in _models("", (".sql",))
               if re.search(r"^\s*where source_system = 'erp'", _sql(path), re.MULTILINE)]
    assert derived == ["intermediate/suppliers/int_erp_vendors__resolved.sql"]
    users = [path.stem for path in _models("marts", (".sql",)) + _models("intermediate", (".sql",))
             if "ref('int_erp_vendors__resolved')" in path.read_text(encoding="utf-8")]
    assert len(users) == 7


@pytest.mark.parametrize(
    ("pattern", "macro"),
    [
        (r"/\s*nullif\(", "safe_ratio / percent_change"),
        (r"cast\(round\(cast\(", "to_group_currency"),
        (r"valid_to_date is null or", "fx_rate_in_force"),
        (r"cast\(_batch_id as varchar\)", "bronze_lineage_columns"),
        (r"sqrt\(greatest\(", "sample_stddev_from_sums"),
        (r"printf\('%\.4g'", "format_figure"),
    ],
)
def test_expressions_with_a_macro_are_not_written_out(pattern: str, macro: str):
    found = [
        path.relative_to(MODELS).as_posix()
        for path in _models("", (".sql",))
        for _ in re.finditer(pattern, _sql(path))
    ]
    # the one ratio that is money, not a rate: an average price kept as decimal(18, 4)
    allowed = ["marts/performance/supplier_price_history.sql"] if macro.startswith("safe_ratio") else []
    assert found == allowed, f"use the {macro} macro"
