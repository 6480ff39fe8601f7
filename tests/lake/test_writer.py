"""Exact merge semantics of the lake writer."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from lake.writer import latest_per_key, merge_batch

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPEC = EntitySpec(
    "erp",
    "items",
    pa.schema([("item_id", pa.string()), ("qty", pa.int64()), ("updated_at", pa.timestamp("us", tz="UTC"))]),
    key=("item_id",),
)


def batch(rows: list[tuple[str, int, int]]) -> pa.Table:
    return pa.table(
        {
            "item_id": [r[0] for r in rows],
            "qty": [r[1] for r in rows],
            "updated_at": pa.array([T0 + dt.timedelta(hours=r[2]) for r in rows], pa.timestamp("us", tz="UTC")),
        },
        schema=SPEC.schema,
    )


@pytest.fixture
def storage(tmp_path) -> LakeStorage:
    return LakeStorage(str(tmp_path / "lake"))


def state(storage: LakeStorage) -> dict[str, tuple[int, str]]:
    t = read_table(storage, SPEC.relative_path)
    return {r["item_id"]: (r["qty"], r["_batch_id"]) for r in t.to_pylist()}


def test_first_batch_creates_table_with_lineage(storage):
    r = merge_batch(storage, SPEC, batch([("a", 1, 0), ("b", 2, 0)]), "b1")
    assert (r.inserted, r.updated, r.version) == (2, 0, 0)
    t = read_table(storage, SPEC.relative_path)
    assert t.column_names == ["item_id", "qty", "updated_at", "_source", "_batch_id", "_ingested_at"]
    assert set(t.column("_source").to_pylist()) == {"erp"}


def test_update_only_when_change_timestamp_is_newer(storage):
    merge_batch(storage, SPEC, batch([("a", 1, 5), ("b", 2, 5)]), "b1")
    r = merge_batch(storage, SPEC, batch([("a", 10, 6), ("b", 20, 4), ("c", 3, 1)]), "b2")
    assert (r.inserted, r.updated, r.unchanged) == (1, 1, 1)
    assert state(storage) == {"a": (10, "b2"), "b": (2, "b1"), "c": (3, "b2")}
    assert r.version == 1


def test_equal_timestamp_changes_nothing_and_creates_no_version(storage):
    merge_batch(storage, SPEC, batch([("a", 1, 5)]), "b1")
    r = merge_batch(storage, SPEC, batch([("a", 99, 5)]), "b2")
    assert (r.inserted, r.updated, r.unchanged, r.version) == (0, 0, 1, None)
    assert open_table(storage, SPEC.relative_path).version() == 0
    assert state(storage) == {"a": (1, "b1")}


def test_retried_batch_is_a_noop(storage):
    merge_batch(storage, SPEC, batch([("a", 1, 0)]), "b1")
    first = merge_batch(storage, SPEC, batch([("a", 2, 3)]), "b2")
    r = merge_batch(storage, SPEC, batch([("a", 2, 3)]), "b2")
    assert r.skipped_retry and r.version is None
    # version 1: the MERGE; version 2: its files rewritten to the declared types (lake.conform)
    assert first.version == 1 and open_table(storage, SPEC.relative_path).version() == 2


def test_duplicate_keys_in_one_batch_keep_the_newest(storage):
    b = batch([("a", 1, 1), ("a", 3, 3), ("a", 2, 2), ("b", 1, 0)])
    assert min(latest_per_key(b, SPEC).to_pylist(), key=lambda r: r["item_id"])["qty"] == 3
    r = merge_batch(storage, SPEC, b, "b1")
    assert r.inserted == 2
    assert state(storage)["a"][0] == 3


def test_insert_only_batches_append_without_rewriting(storage):
    merge_batch(storage, SPEC, batch([("a", 1, 0)]), "b1")
    merge_batch(storage, SPEC, batch([("b", 1, 0)]), "b2")
    history = open_table(storage, SPEC.relative_path).history()
    assert [h["operation"] for h in history][:2] == ["WRITE", "WRITE"]
