"""A tiny hand-made gold layer for the fast serving tests (exact, readable numbers).

Three golden suppliers: SUP-A (COAL, on the platform as P-1), SUP-B (COAL and POWER), SUP-C
(POWER); two scorecard months; SUP-C is in the bottom decile of the latest one. Only the
columns the code under test reads are written (the marts have more).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from lake.storage import LakeStorage

OCT, NOV = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
MONEY = pa.decimal128(18, 4)


def _write(storage: LakeStorage, mart: str, table: pa.Table) -> None:
    from deltalake import write_deltalake

    write_deltalake(storage.uri(f"gold/{mart}"), table, mode="overwrite", schema_mode="overwrite")


def supplier_master() -> pa.Table:
    empty = pa.nulls(3, pa.string())
    return pa.table({
        "supplier_key": ["SUP-A", "SUP-B", "SUP-C"],
        "group_supplier_id": ["GL-COAL-000001", "GL-COAL-000002", "GL-POWER-000001"],
        "golden_name": ["甲煤业有限公司", "乙物流有限公司", "丙电力设备有限公司"],
        "uscc": [None, None, None],
        "uscc_is_valid": [False, False, False],
        "province": ["山西", None, None], "city": ["太原", None, None], "address": empty,
        "phone": empty, "bank_account": empty, "industry": ["煤炭", None, None],
        "member_count": [2, 2, 1],
        "erp_record_count": [1, 2, 1],
        "platform_record_count": [1, 0, 0],
        "business_units": ["COAL", "COAL,POWER", "POWER"],
        "source_systems": ["erp,platform", "erp", "erp"],
        "platform_supplier_ids": ["P-1", None, None],
        "min_match_confidence": [0.9, 1.0, 1.0],
        "first_seen_at": pa.array([dt.datetime(2020, 1, 1, tzinfo=dt.UTC)] * 3, pa.timestamp("us", "UTC")),
        "founding_record_id": ["erp:V1", "erp:V2", "erp:V4"],
    })


def source_records() -> pa.Table:
    return pa.table({
        "record_id": ["erp:V1", "tx:P-1", "erp:V2", "erp:V3", "erp:V4"],
        "source_system": ["erp", "platform", "erp", "erp", "erp"],
        "source_record_id": ["V1", "P-1", "V2", "V3", "V4"],
        "business_unit_code": ["COAL", None, "COAL", "POWER", "POWER"],
        "supplier_key": ["SUP-A", "SUP-A", "SUP-B", "SUP-B", "SUP-C"],
        "group_supplier_id": ["GL-COAL-000001", "GL-COAL-000001", "GL-COAL-000002",
                              "GL-COAL-000002", "GL-POWER-000001"],
        "match_confidence": [1.0, 0.9, 1.0, 1.0, 1.0],
        "recorded_name": ["甲煤业有限公司", "甲煤业", "乙物流有限公司", "乙物流（停用）", "丙电力设备有限公司"],
    })


def scorecards() -> pa.Table:
    rows = []
    for month, scores in ((OCT, (80.0, 60.0, 30.0)), (NOV, (85.0, 55.0, 20.0))):
        for (key, gid, unit), score, rank in zip(
                (("SUP-A", "GL-COAL-000001", "COAL"), ("SUP-B", "GL-COAL-000002", "COAL"),
                 ("SUP-C", "GL-POWER-000001", "POWER")), scores, (1, 2, 3), strict=True):
            bottom = rank == 3
            rows.append({
                "supplier_scorecard_id": f"{key}:{month:%Y-%m}", "supplier_key": key,
                "group_supplier_id": gid, "supplier_name": key.lower(), "scorecard_month": month,
                "main_category_id": "CAT-1", "main_category_name": "Coal",
                "main_business_unit_code": unit,
                "spend_group": Decimal("1000.5000") * rank, "currency": "CNY",
                "on_time_delivery_rate": round(0.9 - rank / 10, 2), "on_time_delivery_rate_score": score,
                "defect_ppm": 100.0 * rank, "defect_ppm_score": score,
                "new_metric": 1.5, "new_metric_score": 42.0,
                "quality_score": score, "delivery_score": score, "price_score": None,
                "service_score": None, "overall_score": score,
                "is_ranked": True, "unranked_reason": None, "ranked_supplier_count": 3,
                "group_rank": rank, "category_rank": rank, "category_ranked_count": 3,
                "business_unit_rank": 1 if key != "SUP-B" else 2,
                "business_unit_ranked_count": 2 if unit == "COAL" else 1,
                "is_bottom_decile": bottom,
                "bottom_decile_reasons": ("defect_ppm 300 vs peer median 200 (score 0); "
                                          "on_time_delivery_rate 0.6 vs peer median 0.7 (score 10)")
                if bottom else None,
                "weakest_metrics": ("defect_ppm 300 vs peer median 200 (score 0); "
                                    "on_time_delivery_rate 0.6 vs peer median 0.7 (score 10)")
                if bottom else ("defect_ppm 200 vs peer median 200 (score 45)" if rank == 2 else None),
            })
    schema = pa.schema([
        ("supplier_scorecard_id", pa.string()), ("supplier_key", pa.string()),
        ("group_supplier_id", pa.string()), ("supplier_name", pa.string()),
        ("scorecard_month", pa.date32()), ("main_category_id", pa.string()),
        ("main_category_name", pa.string()),
        ("main_business_unit_code", pa.string()), ("spend_group", MONEY), ("currency", pa.string()),
        ("on_time_delivery_rate", pa.float64()), ("on_time_delivery_rate_score", pa.float64()),
        ("defect_ppm", pa.float64()), ("defect_ppm_score", pa.float64()),
        ("new_metric", pa.float64()), ("new_metric_score", pa.float64()),
        ("quality_score", pa.float64()), ("delivery_score", pa.float64()),
        ("price_score", pa.float64()), ("service_score", pa.float64()),
        ("overall_score", pa.float64()), ("is_ranked", pa.bool_()), ("unranked_reason", pa.string()),
        ("ranked_supplier_count", pa.int32()), ("group_rank", pa.int32()),
        ("category_rank", pa.int32()), ("category_ranked_count", pa.int32()),
        ("business_unit_rank", pa.int32()), ("business_unit_ranked_count", pa.int32()),
        ("is_bottom_decile", pa.bool_()), ("bottom_decile_reasons", pa.string()),
        ("weakest_metrics", pa.string()),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


def spend_by_bu() -> pa.Table:
    return pa.table({
        "supplier_key": ["SUP-B", "SUP-B", "SUP-A"],
        "business_unit_code": ["COAL", "POWER", "COAL"],
        "spend_month": [NOV, NOV, NOV],
        "currency": ["CNY"] * 3,
        "po_count": pa.array([1, 2, 1], pa.int32()),
        "ordered_amount": pa.array([Decimal("100.0000"), Decimal("900.0000"), Decimal("50.0000")], MONEY),
        "received_amount": pa.array([Decimal("100.0000"), Decimal("800.0000"), Decimal("0.0000")], MONEY),
        "invoiced_amount": pa.array([Decimal("90.0000"), Decimal("800.0000"), Decimal("0.0000")], MONEY),
    })


def customer_rfm() -> pa.Table:
    return pa.table({
        "scope": ["COAL", "POWER", "GROUP"],
        "scope_type": ["business_unit", "business_unit", "group"],
        "customer_id": ["C1", "C1", "C1"],
        "customer_name": ["经销商一"] * 3,
        "customer_type": ["dealer"] * 3,
        "customer_tier": ["A"] * 3,
        "as_of_date": [NOV] * 3, "first_order_date": [OCT] * 3, "last_order_date": [NOV] * 3,
        "recency_days": [1, 2, 1], "frequency": [3, 4, 7],
        "monetary_value": pa.array([Decimal("30.0000"), Decimal("40.0000"), Decimal("70.0000")], MONEY),
        "average_order_value": pa.array([Decimal("10.0000")] * 3, MONEY),
        "currency": ["CNY"] * 3, "r_score": [5, 5, 5], "f_score": [5, 5, 5], "m_score": [5, 5, 5],
        "fm_score": [5, 5, 5], "rfm_cell": ["555"] * 3, "segment": ["champions", "loyal", "champions"],
        "customers_in_scope": [1, 1, 1],
    })


def delivery_risk() -> pa.Table:
    """``gold.ml_delivery_risk``: SUP-B's COAL record V2 (two SKUs) and POWER record V3 (one)."""
    return pa.table({
        "vendor_id": ["V2", "V2", "V3"], "business_unit_code": ["COAL", "COAL", "POWER"],
        "vendor_uscc": [None, None, None], "material_id": ["M1", "M2", "M1"], "sku": ["S1", "S2", "S1"],
        "late_probability": [0.1, 0.4, 0.25], "historical_late_rate": [0.0, 0.5, 0.2],
        "vendor_lines": pa.array([4, 4, 5], pa.int64()), "pair_lines": pa.array([2, 2, 5], pa.int64()),
        "open_lines": pa.array([0, 1, 0], pa.int64()), "overdue_open_lines": pa.array([0, 1, 0], pa.int64()),
        "model_name": ["grouplake_delivery_risk"] * 3, "model_version": ["2"] * 3,
        "as_of": pa.array([NOV] * 3, pa.date32()),
    })


def onboarding_cycle_times() -> pa.Table:
    return pa.table({
        "business_unit_code": ["COAL", "COAL", "POWER"],
        "check_outcome": ["failed", "fast_track", "fast_track"],
        "applications": [2, 3, 1], "decided_applications": [1, 3, 1],
        "approved_applications": [0, 3, 1], "rejected_applications": [1, 0, 0],
        "resubmitted_applications": [1, 1, 0],
        "mean_hours_to_decision": [96.0, 20.0, 5.5], "median_hours_to_decision": [96.0, 18.0, 5.5],
        "max_hours_to_decision": [96.0, 30.0, 5.5],
        "first_submitted_at": pa.array([dt.datetime(2026, 11, 2, tzinfo=dt.UTC)] * 3,
                                       pa.timestamp("us", "UTC")),
        "last_decided_at": pa.array([dt.datetime(2026, 11, 20, tzinfo=dt.UTC)] * 3,
                                    pa.timestamp("us", "UTC")),
    })


def write_gold(lake_root: Path, *, marts: tuple[str, ...] | None = None) -> LakeStorage:
    """Write the tiny gold layer under ``lake_root`` (all marts, or those named)."""
    storage = LakeStorage(str(lake_root))
    tables = {
        "supplier_master": supplier_master, "supplier_source_records": source_records,
        "supplier_scorecards": scorecards,
        "supplier_scorecards_current": lambda: scorecards().filter(
            pc.equal(scorecards()["scorecard_month"], pa.scalar(NOV, pa.date32()))),
        "supplier_spend_by_bu": spend_by_bu, "customer_rfm": customer_rfm, "ml_delivery_risk": delivery_risk,
        "onboarding_cycle_time_summary": onboarding_cycle_times,
    }
    for mart, build in tables.items():
        if marts is None or mart in marts:
            _write(storage, mart, build())
    return storage


DOCS = {
    "supplier_scorecards": {
        "on_time_delivery_rate": "Due lines delivered by the promised date / due lines.",
        "defect_ppm": "Rejected quantity / inspected quantity x 1e6.",
        "defect_ppm_score": "Mid-rank percentile among peers, lower is better.",
    },
}
