"""Spark validation gives the embedded validator's rows and reasons, value for value."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lake.spec import EntitySpec
from lake.validate import validate_batch
from pipelines.engines.spark_validate import collect_bad, flag_rows, good_rows, reasons_for

SPEC = EntitySpec(
    "erp",
    "things",
    pa.schema(
        [
            ("thing_id", pa.string()),
            ("qty", pa.int64()),
            ("amount", pa.decimal128(18, 4)),
            ("ratio", pa.float64()),
            ("ok", pa.bool_()),
            ("day", pa.date32()),
            ("note", pa.string()),
            ("updated_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    key=("thing_id",),
    required=("qty",),
)

# every value as text, as SQLite reads come in: good ones, bad ones, edge cases
RAW = {
    "thing_id": ["t1", "t2", "t3", "t4", "t5", "t6", None, "t8", "t9", "qty"],
    "qty": [" 12 ", "12.0", "7", None, "x", "3", "4", "-5", "+6", "1"],
    "amount": ["1.5", "12.34567", "abc", "0.1", " 2 ", "1e3", "3", "99999999999999999", "-0.00004", "0"],
    "ratio": ["0.5", "1e-3", "-2", "nan?", "3.25", "4", "5", "6", "7", "8"],
    "ok": ["yes", "N", "1", "0", "maybe", " TRUE ", "f", "t", "no", "y"],
    "day": ["2026-01-31", "2026-1-1", "2026-02-30", "2026-03-01", "2026-03-02 10:00", "2026-12-31", "2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"],
    "note": [" keep spaces ", "", None, "中文", "x", "y", "z", "w", "v", "u"],
    "updated_at": [
        "2026-01-01 00:00:00",
        "2026-01-01T08:00:00+08:00",
        "2026-01-01 00:00:00.123456",
        "2026-01-01 00:00:00Z",
        "2026-01-01",
        "yesterday",
        "2026-01-01 10:00:00-0130",
        "2026-01-01 00:00",
        "2026-13-01 00:00:00",
        "2026-01-01 00:00:00",
    ],
}


@pytest.mark.spark
def test_same_good_rows_and_reasons_as_the_embedded_validator(spark):
    from pyspark.sql import functions as F

    table = pa.table({k: pa.array(v, pa.string()) for k, v in RAW.items()})
    embedded = validate_batch(table, SPEC)
    raw = spark.createDataFrame(table).withColumn("__pos", F.monotonically_increasing_id())
    flagged, missing = flag_rows(raw, SPEC)
    good = good_rows(flagged, SPEC, extra=["__pos"]).orderBy("__pos").drop("__pos").toArrow()
    assert good.cast(SPEC.schema).equals(embedded.good)
    bad = collect_bad(flagged, SPEC, table.column_names, missing, order_by=["__pos"])[None]
    assert bad.bad_reasons == embedded.bad_reasons
    assert bad.bad_rows == embedded.bad_rows and bad.bad_keys == embedded.bad_keys


def test_reason_wording_and_substring_rule_match_the_embedded_validator():
    row = {"thing_id": None, "qty": "x", "__castfail__qty": True, "__null__thing_id": True, "__null__qty": True}
    assert reasons_for(row, SPEC, []) == [
        "column 'qty': cannot cast 'x' to int64",
        "key 'thing_id' is null",
    ]
    assert reasons_for({"__null__qty": True}, SPEC, ["qty"]) == ["missing column(s) ['qty']"]
