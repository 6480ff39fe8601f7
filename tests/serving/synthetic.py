"""A synthetic gold layer at benchmark scale with the marts' exact schemas (their dbt contracts).

The benchmark needs 10,000 suppliers with scorecards. The demo group at that scale (12.5)
takes long to run through the whole pipeline on a 2-core machine, so the benchmark builds
its gold tables here instead: every column of the enforced contracts of
``supplier_master``, ``supplier_source_records``, ``supplier_scorecards`` and
``supplier_scorecards_current`` (names and types read from their YAML, so a contract change
changes this data), filled with seeded, plausible values (rates in 0-1, scores 0-100, ranks
consistent with the overall score, the bottom 10 % flagged with reasons in the mart's
format). The snapshot is then built from them by the real code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from lake.storage import LakeStorage

REPO = Path(__file__).resolve().parents[2]
MARTS = REPO / "dbt_project" / "models" / "marts"
UNITS = ("COAL", "POWER", "CHEM", "TRADE", "BMAT", "MRO")
MONTH = dt.date(2026, 10, 1)
TYPES = {
    "varchar": pa.string(), "double": pa.float64(), "integer": pa.int32(), "boolean": pa.bool_(),
    "date": pa.date32(), "decimal(18,4)": pa.decimal128(18, 4),
    "timestamptz": pa.timestamp("us", "UTC"), "timestamp with time zone": pa.timestamp("us", "UTC"),
}


def _arrow_type(data_type: str) -> pa.DataType:
    kind = data_type.lower().strip()
    return TYPES["decimal(18,4)" if kind.replace(" ", "") == "decimal(18,4)" else kind]


def contract_columns(model: str) -> list[tuple[str, pa.DataType]]:
    """(column, Arrow type) of a mart's enforced contract, in order."""
    import yaml

    for path in MARTS.rglob("*.yml"):
        for node in (yaml.safe_load(path.read_text()) or {}).get("models") or []:
            if node.get("name") == model:
                return [(c["name"], _arrow_type(c["data_type"])) for c in node["columns"]]
    raise KeyError(f"no contract for {model}")


def _value(name: str, kind: pa.DataType, i: int, rng: np.random.Generator, base: Mapping[str, Any]) -> Any:
    if name in base:
        return base[name]
    if pa.types.is_boolean(kind):
        return bool(rng.random() < 0.5)
    if pa.types.is_integer(kind):
        return int(rng.integers(0, 400))
    if pa.types.is_floating(kind):
        if name.endswith("_score"):
            return round(float(rng.uniform(0, 100)), 2)
        if name.endswith(("_rate", "_cv")):
            return round(float(rng.beta(8, 2)), 6)
        return round(float(rng.gamma(2.0, 20.0)), 4)
    if pa.types.is_decimal(kind):
        return Decimal(f"{rng.gamma(2.0, 200_000.0):.4f}")
    if pa.types.is_date(kind):
        return MONTH
    if pa.types.is_timestamp(kind):
        return dt.datetime(2020, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=int(rng.integers(0, 2000)))
    return f"{name}-{i}"


def _table(model: str, rows: list[Mapping[str, Any]], rng: np.random.Generator) -> pa.Table:
    columns = contract_columns(model)
    data = {name: [_value(name, kind, i, rng, row) for i, row in enumerate(rows)] for name, kind in columns}
    return pa.table({name: pa.array(data[name], kind) for name, kind in columns})


def supplier_rows(count: int, seed: int) -> list[dict[str, Any]]:
    """Identity of ``count`` golden suppliers (keys, names, units)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(count):
        unit = UNITS[int(rng.integers(0, len(UNITS)))]
        rows.append({"supplier_key": f"SUP-{i:012X}", "group_supplier_id": f"GL-{unit}-{i:06d}",
                     "unit": unit, "name": f"供应商{i:05d}有限公司",
                     "category": f"CAT-{int(rng.integers(1, 41)):02d}"})
    return rows


def scorecard_rows(suppliers: list[dict[str, Any]], rng: np.random.Generator) -> list[dict[str, Any]]:
    """One current scorecard per supplier, ranks and the bottom decile consistent with the scores."""
    overall = rng.uniform(10, 95, len(suppliers)).round(2)
    order = np.argsort(-overall, kind="stable")
    group_rank = np.empty(len(suppliers), dtype=int)
    group_rank[order] = np.arange(1, len(suppliers) + 1)
    bottom = group_rank > round(0.9 * len(suppliers))
    rows = []
    for i, supplier in enumerate(suppliers):
        reasons = ("defect_ppm 2100 vs peer median 800 (score 4); on_time_delivery_rate 0.61 vs peer "
                   "median 0.88 (score 7); price_vs_market_pct 6.2 vs peer median 0.4 (score 11)")
        rows.append({
            "supplier_scorecard_id": f"{supplier['supplier_key']}:{MONTH:%Y-%m}",
            "supplier_key": supplier["supplier_key"], "group_supplier_id": supplier["group_supplier_id"],
            "supplier_name": supplier["name"], "scorecard_month": MONTH,
            "window_start_month": dt.date(2025, 11, 1), "window_end_date": dt.date(2026, 10, 31),
            "main_category_id": supplier["category"], "main_category_name": f"Category {supplier['category']}",
            "main_business_unit_code": supplier["unit"], "currency": "CNY",
            "overall_score": float(overall[i]), "is_ranked": True, "unranked_reason": None,
            "ranked_supplier_count": len(suppliers), "group_rank": int(group_rank[i]),
            "is_bottom_decile": bool(bottom[i]),
            "bottom_decile_reasons": reasons if bottom[i] else None, "weakest_metrics": reasons,
        })
    return rows


def write_synthetic_gold(lake_root: Path, *, suppliers: int = 10_000, seed: int = 7) -> LakeStorage:
    """Write the four supplier marts for ``suppliers`` golden suppliers under ``lake_root``."""
    from deltalake import write_deltalake

    storage = LakeStorage(str(lake_root))
    rng = np.random.default_rng(seed)
    identity = supplier_rows(suppliers, seed)
    master = [{"supplier_key": s["supplier_key"], "group_supplier_id": s["group_supplier_id"],
               "golden_name": s["name"], "business_units": s["unit"], "source_systems": "erp,platform",
               "member_count": 2, "erp_record_count": 1, "platform_record_count": 1,
               "uscc": None, "uscc_is_valid": False, "founding_record_id": f"erp:V{i}",
               "platform_supplier_ids": f"P{i}"} for i, s in enumerate(identity)]
    records = []
    for i, s in enumerate(identity):
        common = {"supplier_key": s["supplier_key"], "group_supplier_id": s["group_supplier_id"],
                  "match_confidence": 1.0, "recorded_name": s["name"]}
        records.append({**common, "record_id": f"erp:V{i}", "source_system": "erp",
                        "source_record_id": f"V{i}", "business_unit_code": s["unit"]})
        records.append({**common, "record_id": f"tx:P{i}", "source_system": "platform",
                        "source_record_id": f"P{i}", "business_unit_code": None})
    cards = scorecard_rows(identity, rng)
    tables = {
        "supplier_master": _table("supplier_master", master, rng),
        "supplier_source_records": _table("supplier_source_records", records, rng),
        "supplier_scorecards": _table("supplier_scorecards", cards, rng),
        "supplier_scorecards_current": _table("supplier_scorecards_current", cards, rng),
    }
    for mart, table in tables.items():
        write_deltalake(storage.uri(f"gold/{mart}"), table, mode="overwrite", schema_mode="overwrite")
    return storage
