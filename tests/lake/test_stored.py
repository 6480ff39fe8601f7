"""Reading only the stored keys within a batch's key range never changes a merge's outcome."""

from __future__ import annotations

import datetime as dt
import random

import pyarrow as pa
import pytest

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.stored import key_bounds, read_stored
from lake.tables import open_table, read_table
from lake.writer import merge_batch

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TS = pa.timestamp("us", tz="UTC")
SPECS = {
    "plain": EntitySpec("t", "plain", pa.schema([("id", pa.string()), ("v", pa.int64()), ("updated_at", TS)]),
                        key=("id",)),
    "composite": EntitySpec("t", "composite", pa.schema([("day", pa.date32()), ("site", pa.string()),
                                                          ("v", pa.int64()), ("updated_at", TS)]),
                            key=("day", "site")),
    "partitioned": EntitySpec("t", "partitioned", pa.schema([("event_id", pa.string()), ("v", pa.int64()),
                                                             ("event_date", pa.date32())]),
                              key=("event_id", "event_date"), change_column=None, partition_by=("event_date",)),
}


def _row(spec: EntitySpec, rng: random.Random) -> dict:
    n = rng.randrange(300)
    if spec.entity == "plain":
        return {"id": f"K{n:04d}", "v": rng.randrange(1000), "updated_at": T0 + dt.timedelta(hours=rng.randrange(50))}
    if spec.entity == "composite":
        return {"day": dt.date(2026, 1, 1) + dt.timedelta(days=n % 40), "site": f"S{n % 7}", "v": rng.randrange(1000),
                "updated_at": T0 + dt.timedelta(hours=rng.randrange(50))}
    return {"event_id": f"e-{n:04d}", "v": rng.randrange(1000), "event_date": dt.date(2026, 2, 1) + dt.timedelta(days=n % 9)}


def _model(model: dict, spec: EntitySpec, rows: list[dict]) -> None:
    """The lake's merge rule, row by row: insert new keys, replace only when strictly newer."""
    latest: dict = {}
    for r in rows:
        key = tuple(r[k] for k in spec.key)
        if key not in latest or not spec.change_column or r[spec.change_column] >= latest[key][spec.change_column]:
            latest[key] = r
    for key, r in latest.items():
        if key not in model or (spec.change_column and r[spec.change_column] > model[key][spec.change_column]):
            model[key] = r


@pytest.mark.parametrize("name", sorted(SPECS))
def test_merges_with_pruned_stored_keys_equal_the_row_by_row_rule(tmp_path, name):
    spec = SPECS[name]
    storage = LakeStorage(str(tmp_path / "lake"))
    rng = random.Random(20261125)
    model: dict = {}
    for i in range(12):
        start = rng.randrange(250)  # batches cover shifting, overlapping key ranges
        rows = [_row(spec, rng) for _ in range(rng.randrange(1, 60))]
        if spec.entity == "plain":
            rows = [r | {"id": f"K{(start + int(r['id'][1:]) % 50):04d}"} for r in rows]
        merge_batch(storage, spec, pa.Table.from_pylist(rows, schema=spec.schema), f"b{i}")
        _model(model, spec, rows)
    stored = read_table(storage, spec.relative_path).select(spec.schema.names).to_pylist()
    assert sorted(stored, key=lambda r: tuple(str(r[k]) for k in spec.key)) == sorted(
        model.values(), key=lambda r: tuple(str(r[k]) for k in spec.key))
    assert len(open_table(storage, spec.relative_path).file_uris()) > 1


def test_only_files_and_rows_in_the_batch_key_range_are_read(tmp_path):
    spec = SPECS["partitioned"]
    storage = LakeStorage(str(tmp_path / "lake"))
    for day in range(5):
        date = dt.date(2026, 3, 1) + dt.timedelta(days=day)
        rows = [{"event_id": f"e-{day}-{i}", "v": i, "event_date": date} for i in range(10)]
        merge_batch(storage, spec, pa.Table.from_pylist(rows, schema=spec.schema), f"d{day}")
    table = open_table(storage, spec.relative_path)
    batch = pa.Table.from_pylist([{"event_id": "e-2-3", "v": 0, "event_date": dt.date(2026, 3, 3)},
                                  {"event_id": "e-2-9", "v": 0, "event_date": dt.date(2026, 3, 3)}], schema=spec.schema)
    assert key_bounds(batch, spec, ["event_date"]) == [
        ("event_id", ">=", "e-2-3"), ("event_id", "<=", "e-2-9"), ("event_date", "in", [dt.date(2026, 3, 3)])]
    stored = read_stored(table, spec, ["event_id", "event_date"], batch)
    assert sorted(stored.column("event_id").to_pylist()) == [f"e-2-{i}" for i in range(3, 10)]
    assert set(stored.column("event_date").to_pylist()) == {dt.date(2026, 3, 3)}
