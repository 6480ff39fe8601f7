"""Validation: casts in bulk, quarantines exactly the bad rows, never drops one."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pyarrow as pa

from lake.quarantine import quarantine_rows
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import read_table
from lake.validate import validate_batch

SPEC = EntitySpec(
    "wms",
    "movements",
    pa.schema(
        [
            ("movement_id", pa.string()),
            ("quantity", pa.decimal128(18, 4)),
            ("pieces", pa.int64()),
            ("is_return", pa.bool_()),
            ("moved_at", pa.timestamp("us", tz="UTC")),
            ("updated_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    key=("movement_id",),
    required=("moved_at",),
)


def raw(**cols):
    return pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})


def test_text_columns_cast_with_exact_bad_rows():
    t = raw(
        movement_id=["m1", "m2", None, "m4", "m5"],
        quantity=["1.5", "abc", "2", " 3.25 ", "0.30000000000000004"],
        pieces=["1", "2", "3", "x", "5"],
        is_return=["true", "no", "1", "0", "maybe"],
        moved_at=["2026-01-01 00:00:00", "2026-01-01T01:00:00+08:00", "2026-01-01", None, "2026-01-02 00:00:00"],
        updated_at=["2026-01-01 00:00:00"] * 5,
    )
    r = validate_batch(t, SPEC)
    assert r.good.schema == SPEC.schema
    assert r.good.column("movement_id").to_pylist() == ["m1"]
    assert r.good.column("quantity").to_pylist() == [Decimal("1.5000")]
    reasons = dict(zip(r.bad_keys, r.bad_reasons, strict=True))
    assert "column 'quantity': cannot cast 'abc'" in reasons["m2"]
    assert reasons[None] == "key 'movement_id' is null"
    assert "column 'pieces': cannot cast 'x'" in reasons["m4"]
    assert "required column 'moved_at' is null" in reasons["m4"]
    assert "column 'is_return'" in reasons["m5"]
    assert r.quarantined == 4
    # the raw values of bad rows are kept verbatim
    assert r.bad_rows[0]["quantity"] == "abc"


def test_offset_timestamps_are_converted_to_utc():
    t = raw(
        movement_id=["m1"], quantity=["1"], pieces=["1"], is_return=["t"],
        moved_at=["2026-01-01T08:00:00+08:00"], updated_at=["2026-01-01 00:00:00"],
    )
    r = validate_batch(t, SPEC)
    assert r.good.column("moved_at").to_pylist() == [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]


def test_missing_column_quarantines_every_row_with_the_reason():
    t = raw(movement_id=["m1", "m2"], quantity=["1", "2"], updated_at=["2026-01-01 00:00:00"] * 2)
    r = validate_batch(t, SPEC)
    assert r.good.num_rows == 0
    assert r.quarantined == 2
    assert r.bad_reasons[0].startswith("missing column(s) ['pieces', 'is_return', 'moved_at']")


def test_connector_row_errors_are_quarantined(tmp_path):
    t = raw(
        movement_id=["m1", "m2"], quantity=["1", "2"], pieces=["1", "2"], is_return=["t", "f"],
        moved_at=["2026-01-01 00:00:00"] * 2, updated_at=["2026-01-01 00:00:00"] * 2,
    )
    r = validate_batch(t, SPEC, {1: "line 3 is not valid UTF-8"})
    assert r.good.num_rows == 1 and r.bad_reasons == ["line 3 is not valid UTF-8"]
    storage = LakeStorage(str(tmp_path))
    assert quarantine_rows(storage, "wms", "movements", "batch-1", r, origin="f.csv") == 1
    assert quarantine_rows(storage, "wms", "movements", "batch-1", r, origin="f.csv") == 0  # retry
    q = read_table(storage, "bronze/quarantine").to_pylist()
    assert len(q) == 1
    assert q[0]["origin"] == "f.csv" and q[0]["record_key"] == "m2"
    assert json.loads(q[0]["raw_record"])["movement_id"] == "m2"


def test_clean_batch_costs_no_quarantine():
    t = raw(
        movement_id=[f"m{i}" for i in range(1000)], quantity=["1.25"] * 1000, pieces=["7"] * 1000,
        is_return=["false"] * 1000, moved_at=["2026-01-01 00:00:00"] * 1000, updated_at=["2026-01-01 00:00:00"] * 1000,
    )
    r = validate_batch(t, SPEC)
    assert r.good.num_rows == 1000 and r.quarantined == 0
