"""Ground truth of the demo group: what was injected, kept outside every source system.

CSV files (UTF-8, header row, timestamps ISO-8601 UTC) under ``<demo dir>/ground_truth/``;
the ``*_rows`` style files grow with each ``advance``. :data:`TRUTH_FILES` documents every
file and column; ``README.md`` written next to them repeats it for people.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd

from demo.timebase import iso_strings

TRUTH_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "companies.csv": ("One row per real supplier company (golden supplier) and its injected behaviour.",
                      ("company_id", "legal_name", "uscc", "country", "province", "city", "industry", "sector",
                       "legal_form", "currency", "near_twin_of_company_id", "near_twin_type", "is_chronically_late",
                       "is_chronically_defective", "defect_rate", "price_premium", "lead_time_factor",
                       "slow_acknowledger")),
    "supplier_records.csv": ("ERP vendor record → company, with the alias variant types applied (';'-joined; empty = exact).",
                             ("vendor_id", "business_unit_code", "company_id", "variant_types",
                              "near_twin_of_company_id", "near_twin_type")),
    "near_twins.csv": ("Distinct companies whose names resemble another company's (must NOT be merged).",
                       ("company_id", "near_twin_of_company_id", "near_twin_type")),
    "late_suppliers.csv": ("Chronically late companies and their ERP vendor records.",
                           ("company_id", "legal_name", "vendor_ids", "late_prob", "mean_delay_days")),
    "defective_suppliers.csv": ("Chronically defective companies and their ERP vendor records.",
                                ("company_id", "legal_name", "vendor_ids", "defect_rate")),
    "fraud_cases.csv": ("Injected fraud: one row per affected row; rows of one case share fraud_case_id.",
                        ("fraud_case_id", "kind", "table", "key", "related_table", "related_keys", "detail")),
    "dirty_rows.csv": (("Injected dirty data: ERP rows (location = table, key = primary key) and WMS file rows "
                        "(location = file under the WMS landing dir, key = 1-based line number, 1 = header)."),
                       ("system", "location", "key", "column", "kind", "detail")),
    "wms_receipt_differences.csv": ("WMS receipts that disagree with the ERP goods receipt.",
                                    ("kind", "goods_receipt_id", "movement_id", "warehouse_code", "sku",
                                     "erp_quantity", "wms_quantity", "erp_received_at", "wms_moved_at")),
    "buyer_demand.csv": (("Buyers' demand model (demo/demand.py): segment, volume share, and each regular bundle "
                          "(vendor, ';'-joined materials) with its reorder period in days."),
                         ("business_unit_code", "buyer_id", "segment", "activity", "bundle", "vendor_id",
                          "material_ids", "period_days")),
    "iot_duplicates.csv": ("Events delivered twice (same event_id) in the JSONL drops / MQTT.",
                           ("event_id", "kind", "file")),
    "iot_temperature_excursions.csv": ("Injected temperature excursions in hazardous-goods warehouses.",
                                       ("device_id", "warehouse_code", "start_at", "end_at", "peak_delta_c")),
}


def _iso(values: np.ndarray) -> list[str | None]:
    return [None if v is None else v.replace(" ", "T") + "Z" for v in iso_strings(np.asarray(values, dtype=float), micros=False)]


def write_rows(directory: Path, name: str, rows: list[tuple] | pd.DataFrame, *, append: bool) -> int:
    """Write (or append) rows to one truth file; returns the number of rows written."""
    columns = TRUTH_FILES[name][1]
    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=list(columns))
    frame = frame[list(columns)].copy()
    for col in ("erp_received_at", "wms_moved_at", "start_at", "end_at"):
        if col in frame:
            frame[col] = _iso(frame[col].to_numpy(dtype=float))
    path = directory / name
    new = not (append and path.exists())
    directory.mkdir(parents=True, exist_ok=True)
    with path.open("w" if new else "a", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        if new:
            writer.writerow(columns)
        for row in frame.itertuples(index=False):
            writer.writerow(["" if (v is None or (isinstance(v, float) and math.isnan(v))) else v for v in row])
    return len(frame)


def write_supplier_truth(directory: Path, company_truth: pd.DataFrame, record_truth: pd.DataFrame,
                         vendors: pd.DataFrame, procurement_profile) -> dict[str, int]:
    """The supplier-side truth files (written once, on the first generation)."""
    counts = {}
    c = company_truth.copy()
    for col in ("is_chronically_late", "is_chronically_defective", "slow_acknowledger"):
        c[col] = c[col].astype(int)
    counts["companies.csv"] = write_rows(directory, "companies.csv", c, append=False)
    rec = record_truth.merge(vendors[["vendor_id", "business_unit_code"]], on="vendor_id")
    counts["supplier_records.csv"] = write_rows(directory, "supplier_records.csv", rec, append=False)
    twins = c.loc[c["near_twin_of_company_id"] != "", ["company_id", "near_twin_of_company_id", "near_twin_type"]]
    counts["near_twins.csv"] = write_rows(directory, "near_twins.csv", twins, append=False)
    by_company = rec.groupby("company_id")["vendor_id"].agg(lambda v: ";".join(sorted(v)))
    late = c[c["is_chronically_late"] == 1].copy()
    late["vendor_ids"] = late["company_id"].map(by_company).fillna("")
    late["late_prob"] = procurement_profile.late_supplier_late_prob
    late["mean_delay_days"] = procurement_profile.late_supplier_mean_delay_days
    counts["late_suppliers.csv"] = write_rows(directory, "late_suppliers.csv", late, append=False)
    bad = c[c["is_chronically_defective"] == 1].copy()
    bad["vendor_ids"] = bad["company_id"].map(by_company).fillna("")
    counts["defective_suppliers.csv"] = write_rows(directory, "defective_suppliers.csv", bad, append=False)
    return counts


def write_readme(directory: Path) -> None:
    """Describe every truth file and column."""
    lines = ["# Demo group ground truth", "",
             "Generated by `demo`; never part of a source system. CSV, UTF-8, ISO-8601 UTC timestamps.", ""]
    for name, (about, columns) in TRUTH_FILES.items():
        lines += [f"## {name}", "", about, "", "Columns: " + ", ".join(f"`{c}`" for c in columns), ""]
    (directory / "README.md").write_text("\n".join(lines), encoding="utf-8")
