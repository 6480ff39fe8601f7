"""Material categories and SKUs: attribute templates, generated attributes, validation.

Categories come from :mod:`demo.catalogue_data`. SKUs are drawn per category
(share = category weight) with attributes valid against the template, a name built from
them, and a standard price at the start of the window (driven by a quality attribute
where the category has one: more kcal/kg, a higher price).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.catalogue_data import CATEGORIES
from demo.rng import substream


def category_id(code: str) -> str:
    return f"CAT-{code}"


def template_of(category: dict) -> dict:
    """The JSON attribute template of a category (as stored in material_categories)."""
    return {"version": 1, "attributes": category["attributes"]}


def validate_attributes(template: dict, attributes: dict) -> list[str]:
    """Problems of ``attributes`` against ``template`` (empty list = valid).

    Example:
        >>> t = {"attributes": [{"name": "grade", "type": "enum", "allowed": ["A"], "required": True}]}
        >>> validate_attributes(t, {"grade": "B"})
        ["grade: 'B' not in allowed values"]
    """
    problems: list[str] = []
    specs = {a["name"]: a for a in template["attributes"]}
    for name in attributes:
        if name not in specs:
            problems.append(f"{name}: not in template")
    for name, spec in specs.items():
        if name not in attributes:
            if spec.get("required"):
                problems.append(f"{name}: missing")
            continue
        value = attributes[name]
        kind = spec["type"]
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                problems.append(f"{name}: {value!r} is not a number")
            elif not spec["min"] <= value <= spec["max"]:
                problems.append(f"{name}: {value} outside [{spec['min']}, {spec['max']}]")
        elif kind == "enum" and value not in spec["allowed"]:
            problems.append(f"{name}: {value!r} not in allowed values")
        elif kind == "string" and (not isinstance(value, str) or not re.fullmatch(spec["pattern"], value)):
            problems.append(f"{name}: {value!r} does not match {spec['pattern']}")
    return problems


def _draw(spec: dict, rng: np.random.Generator):
    if spec["type"] == "number":
        value = round(float(rng.uniform(spec["min"], spec["max"])), spec["decimals"])
        return int(value) if spec["decimals"] == 0 else value
    if spec["type"] == "enum":
        return spec["allowed"][int(rng.integers(0, len(spec["allowed"])))]
    if "value" in spec:
        return spec["value"]
    return spec["examples"][int(rng.integers(0, len(spec["examples"])))]


@dataclass
class Catalogue:
    """Categories and materials as frames plus the arrays the simulation needs."""

    categories: pd.DataFrame  # material_categories rows (+ simulation columns)
    materials: pd.DataFrame  # materials rows (+ cat index, base_price)


def build_catalogue(n_materials: int, seed: int, created_at: float) -> Catalogue:
    """Categories and ``n_materials`` SKUs (at least 3 per category), deterministic.

    Args:
        n_materials: number of SKUs.
        seed: random seed.
        created_at: epoch seconds before which the master data existed.
    """
    rng = substream(seed, "catalogue")
    weights = np.array([c["weight"] for c in CATEGORIES])
    counts = np.maximum(3, np.round(weights / weights.sum() * n_materials)).astype(int)
    rows: list[dict] = []
    seq = 0
    for ci, cat in enumerate(CATEGORIES):
        seen: set[str] = set()
        made = attempts = 0
        driver = cat.get("driver")
        lo, hi = cat["price"]
        while made < counts[ci] and attempts < counts[ci] * 20:
            attempts += 1
            attrs = {a["name"]: _draw(a, rng) for a in cat["attributes"]}
            name = cat["name_format"].format(**attrs)
            if name in seen:
                if attempts < counts[ci] * 4:
                    continue
                name = f"{name} #{made + 1}"
            seen.add(name)
            if driver:
                spec = next(a for a in cat["attributes"] if a["name"] == driver)
                values = spec.get("allowed")
                if values:
                    u = values.index(attrs[driver]) / max(len(values) - 1, 1)
                else:
                    u = (attrs[driver] - spec["min"]) / (spec["max"] - spec["min"])
                u = 0.8 * u + 0.2 * rng.random()
            else:
                u = rng.random()
            price = lo * (hi / lo) ** u if hi / lo > 5 else lo + (hi - lo) * u
            seq += 1
            material_type = ("both" if cat["buyers"] and cat["sellers"] else
                             "product" if cat["sellers"] else "purchased")
            rows.append({
                "material_id": f"MAT-{seq:06d}", "sku": f"{cat['sku']}-{seq:05d}",
                "category_id": category_id(cat["code"]), "name": name, "uom": cat["uom"],
                "attributes": attrs, "material_type": material_type,
                "standard_price": round(price, 2), "currency": "CNY", "is_active": True,
                "created_at": created_at - float(rng.integers(30, 2000)) * 86400.0,
                "cat": ci,
            })
            made += 1
    materials = pd.DataFrame(rows)
    materials["updated_at"] = materials["created_at"]
    categories = pd.DataFrame([{
        "category_id": category_id(c["code"]), "name": c["name"], "name_en": c["name_en"],
        "sector": ",".join(c["sectors"]) or None, "default_uom": c["uom"],
        "attribute_template": template_of(c), "inspection_required": c.get("inspection", True),
        "created_at": created_at - 3000 * 86400.0, "updated_at": created_at - 3000 * 86400.0,
    } for c in CATEGORIES])
    return Catalogue(categories=categories, materials=materials)
