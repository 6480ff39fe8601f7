"""Categories, attribute templates and SKUs; the profile's consistency with the catalogue."""

from __future__ import annotations

import pytest

from demo.aliases import VARIANT_TYPES
from demo.catalogue import build_catalogue, template_of, validate_attributes
from demo.catalogue_data import CATEGORIES
from demo.companies import SECTOR_UNITS
from demo.profile import load_profile


def test_every_sector_unit_pair_has_a_category_to_supply() -> None:
    for sector, units in SECTOR_UNITS.items():
        for unit in units:
            assert any(sector in c["sectors"] and unit in c["buyers"] for c in CATEGORIES), (sector, unit)


def test_every_unit_sells_something_and_profile_units_match() -> None:
    profile = load_profile()
    assert set(profile.unit_codes) == {u for units in SECTOR_UNITS.values() for u in units}
    for unit in profile.unit_codes:
        assert any(unit in c["sellers"] for c in CATEGORIES), unit


def test_generated_skus_are_valid_and_exact_in_number() -> None:
    catalogue = build_catalogue(300, seed=1, created_at=1.7e9)
    assert len(catalogue.materials) == 299  # category shares rounded, at least 3 per category
    assert catalogue.materials["sku"].is_unique and catalogue.materials["material_id"].is_unique
    templates = {f"CAT-{c['code']}": template_of(c) for c in CATEGORIES}
    for row in catalogue.materials.itertuples():
        assert validate_attributes(templates[row.category_id], row.attributes) == []
    coal = catalogue.materials[catalogue.materials["category_id"] == "CAT-COAL_THERMAL"]
    assert {"calorific_value", "sulphur_pct", "ash_pct", "origin_mine"} <= set(coal["attributes"].iloc[0])


@pytest.mark.parametrize("attributes, problem", [
    ({"calorific_value": 9000}, "outside"),
    ({"calorific_value": "high"}, "not a number"),
    ({"origin_mine": "月球矿区"}, "not in allowed"),
    ({"unknown": 1}, "not in template"),
])
def test_validation_reports_problems(attributes: dict, problem: str) -> None:
    template = template_of(CATEGORIES[0])
    assert any(problem in p for p in validate_attributes(template, attributes))


def test_profile_rates_are_a_clear_minority() -> None:
    sup = load_profile().suppliers
    assert 0.05 <= sup.late_share <= 0.08 and 0.05 <= sup.defective_share <= 0.08
    assert set(sup.variant_weights) == set(VARIANT_TYPES)
