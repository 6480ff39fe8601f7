"""Quarantine records built column by column are the very text ``json.dumps`` writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from lake.records import raw_record_json, record_keys, records_json, records_json_many
from lake.spec import EntitySpec
from lake.validate import ValidationResult, validate_batch

TRICKY_TEXT = [
    "plain", None, "", 'quote " inside', "back\\slash", "\\\"", "tab\there", "new\nline", "cr\r",
    "\x00nul", "\x1f unit sep", "\x7f del", "中文 吨", "emoji 🚚", "\u2028 line sep", "{\"json\": 1}",
]


def _table() -> pa.Table:
    n = len(TRICKY_TEXT)
    utc = pa.timestamp("us", tz="UTC")
    return pa.table({
        "text": pa.array(TRICKY_TEXT, pa.string()),
        "large": pa.array(list(reversed(TRICKY_TEXT)), pa.large_string()),
        "int": pa.array([i * 10**15 - 7 if i % 3 else None for i in range(n)], pa.int64()),
        "small": pa.array([i % 5 for i in range(n)], pa.int8()),
        "flag": pa.array([None if i % 4 == 0 else i % 2 == 0 for i in range(n)], pa.bool_()),
        "nothing": pa.nulls(n),
        "ts": pa.array([dt.datetime(2026, 3, 1, 12, 0, i % 2, 123 * (i % 3), tzinfo=dt.UTC) if i % 5 else None
                        for i in range(n)], utc),
        "naive": pa.array([dt.datetime(1999, 12, 31, 23, 59, 59, i) for i in range(n)], pa.timestamp("ms")),
        "day": pa.array([dt.date(2026, 1, 1 + i) for i in range(n)], pa.date32()),
        "money": pa.array([(Decimal(i) / 3).quantize(Decimal("0.0001")) if i % 2 else None for i in range(n)], pa.decimal128(18, 4)),
        "float": pa.array([0.1 * i if i % 6 else float("nan") for i in range(n)], pa.float64()),
        "bytes": pa.array([b"\xff\x00ab" if i % 2 else None for i in range(n)], pa.binary()),
        "nested": pa.array([{"a": i, "b": [str(i), None]} for i in range(n)]),
        'odd "name"\n': pa.array(TRICKY_TEXT, pa.string()),
    })


def test_records_json_equals_json_dumps_of_each_row():
    table = _table()
    assert records_json(table) == [raw_record_json(r) for r in table.to_pylist()]


def test_records_json_of_chunked_columns_and_edge_shapes():
    table = pa.concat_tables([_table(), _table().slice(3, 4)])
    assert table.column("text").num_chunks == 2
    assert records_json(table) == [raw_record_json(r) for r in table.to_pylist()]
    assert records_json(table.slice(0, 0)) == []
    assert records_json(pa.table({})) == []
    duplicated = pa.Table.from_arrays([pa.array(["a"]), pa.array([1])], names=["x", "x"])
    assert records_json(duplicated) == [raw_record_json(r) for r in duplicated.to_pylist()]


def test_many_tables_with_the_same_types_under_other_names_are_encoded_together():
    table = _table()
    renamed = table.slice(2, 5).rename_columns([f"other {n}" for n in table.column_names])
    other = pa.table({"x": pa.array([1, None], pa.int64())})
    duplicated = pa.Table.from_arrays([pa.array(["a"]), pa.array(["b"])], names=["x", "x"])
    tables = [table, renamed, other, table.slice(0, 0), duplicated, table.slice(7, 3), pa.table({"y": [None, None]})]
    assert records_json_many(tables) == [[raw_record_json(r) for r in t.to_pylist()] for t in tables]


@pytest.mark.parametrize("key", [("text",), ("text", "int"), ("int",), ("ts", "text"), ("missing",)])
def test_record_keys_equal_the_per_record_rule(key):
    table = _table()
    expected = []
    for record in table.to_pylist():
        parts = [record.get(k) for k in key]
        expected.append(None if any(p is None for p in parts) else "|".join(str(p) for p in parts))
    assert record_keys(table, key) == expected


def test_validation_keeps_bad_rows_as_arrow_until_asked():
    spec = EntitySpec("s", "t", pa.schema([("id", pa.string()), ("qty", pa.int64())]), key=("id",),
                      change_column=None)
    raw = pa.table({"id": ["a", "b", None], "qty": ["1", "x", "2"]})
    r = validate_batch(raw, spec)
    assert r.bad_table is not None and r.quarantined == 2
    json_from_arrow = r.raw_records_json()
    assert r.bad_rows == [{"id": "b", "qty": "x"}, {"id": None, "qty": "2"}]
    assert r.bad_table is None  # the dicts are the truth from now on
    r.bad_rows[0]["qty"] = "edited"
    assert r.raw_records_json() == ['{"id": "b", "qty": "edited"}', json_from_arrow[1]]
    assert ValidationResult(good=raw).quarantined == 0
