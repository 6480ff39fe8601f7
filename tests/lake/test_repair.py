"""``grouplake lake repair`` heals a table written by the old code: files holding
``string_view`` / ``large_string`` / ``binary_view`` columns (a Delta MERGE, or a writer given
view-typed Arrow data) are rewritten to the declared types in one Delta transaction."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest
import typer
from deltalake import write_deltalake
from typer.testing import CliRunner

from lake.cli import register
from lake.spec import EntitySpec
from lake.sql import connect
from lake.storage import LakeStorage
from lake.tables import dataset, open_table, read_columns
from lake.writer import merge_batch

T0 = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
SPEC = EntitySpec(
    "erp", "parts",
    pa.schema([("part_id", pa.string()), ("plant", pa.string()), ("qty", pa.int64()),
               ("price", pa.decimal128(18, 4)), ("due", pa.date32()), ("blob", pa.binary()),
               ("updated_at", pa.timestamp("us", tz="UTC"))]),
    key=("part_id",),
)
app = typer.Typer()
register(app)


def _rows(n0: int, n1: int, qty: int = 1) -> pa.Table:
    ids = range(n0, n1)
    return pa.table({
        "part_id": [f"P{i:03d}" for i in ids], "plant": [f"PL-{i % 3}" for i in ids], "qty": [qty * i for i in ids],
        "price": [Decimal(i) / 4 for i in ids], "due": [dt.date(2026, 4, 1 + i % 20) for i in ids],
        "blob": [bytes([i]) for i in ids], "updated_at": [T0 + dt.timedelta(hours=i) for i in ids],
    }, schema=SPEC.schema)


def _poisoned(root) -> LakeStorage:
    """A table as the old code left it: clean files, a raw Delta MERGE's string_view files,
    and an append of view / large Arrow types."""
    storage = LakeStorage(str(root))
    merge_batch(storage, SPEC, _rows(0, 10), "b1")
    merge_batch(storage, SPEC, _rows(20, 26), "b2")  # a file the MERGE below does not touch
    table = open_table(storage, SPEC.relative_path)
    source = read_columns(table).sort_by("part_id").slice(0, 4)
    source = source.set_column(2, "qty", pa.array([100 + i for i in range(4)], pa.int64()))
    (table.merge(source, predicate="t.part_id = s.part_id", source_alias="s", target_alias="t")
     .when_matched_update_all().execute())  # what merge_batch did before #25: string_view files
    new = _rows(10, 13)
    lineage = {"_source": pa.array(["erp"] * 3), "_batch_id": pa.array(["b9"] * 3),
               "_ingested_at": pa.array([T0] * 3, pa.timestamp("us", tz="UTC"))}
    drift = {pa.string(): pa.string_view(), pa.binary(): pa.binary_view()}
    appended = pa.table({**{c: new.column(c) for c in new.column_names}, **lineage})
    appended = appended.cast(pa.schema([f.with_type(drift.get(f.type, f.type)) for f in appended.schema]))
    appended = appended.set_column(1, "plant", appended.column("plant").cast(pa.large_string()))
    write_deltalake(storage.uri(SPEC.relative_path), appended, mode="append")
    return storage


def _file_types(storage: LakeStorage) -> set[tuple[str, ...]]:
    table = open_table(storage, SPEC.relative_path)
    return {tuple(str(t) for t in pq.read_schema(u.removeprefix("file://")).types) for u in table.file_uris()}


def _sorted_rows(storage: LakeStorage, version: int | None = None) -> list[dict]:
    table = open_table(storage, SPEC.relative_path, version)
    return sorted(read_columns(table).to_pylist(), key=lambda r: r["part_id"])


@pytest.fixture
def poisoned(tmp_path, monkeypatch):
    from infra.settings import reset_settings_cache

    root = tmp_path / "lake"
    monkeypatch.setenv("LAKE__ROOT", str(root))
    reset_settings_cache()
    yield _poisoned(root)
    reset_settings_cache()


def test_the_fixture_is_poisoned_and_readers_still_answer(poisoned):
    declared = tuple(str(f.type) for f in SPEC.lake_schema)
    assert len(_file_types(poisoned)) == 3 and declared in _file_types(poisoned)
    with pytest.raises((pa.ArrowNotImplementedError, pa.ArrowTypeError)):  # the plain dataset fails
        dataset(open_table(poisoned, SPEC.relative_path)).to_table(filter=pads.field("plant") == "PL-1")
    con = connect(poisoned)
    assert con.execute("select count(*) from bronze.erp__parts where plant = 'PL-1'").fetchall() == [(6,)]
    assert con.execute("select qty from bronze.erp__parts where part_id = 'P002'").fetchall() == [(102,)]


def test_repair_rewrites_drifted_files_in_one_version_with_the_same_rows(poisoned):
    before_rows = _sorted_rows(poisoned)
    before_version = open_table(poisoned, SPEC.relative_path).version()
    result = CliRunner().invoke(app, ["lake", "repair", "bronze.erp__parts"])
    assert result.exit_code == 0, result.output
    assert f"-> version {before_version + 1}" in result.output
    assert "columns _batch_id, _source, blob, part_id, plant" in result.output
    assert _file_types(poisoned) == {tuple(str(f.type) for f in SPEC.lake_schema)}
    assert open_table(poisoned, SPEC.relative_path).version() == before_version + 1
    assert _sorted_rows(poisoned) == before_rows and len(before_rows) == 19
    assert _sorted_rows(poisoned, before_version) == before_rows  # time travel keeps the old files
    plain = dataset(open_table(poisoned, SPEC.relative_path))
    assert plain.to_table(filter=pads.field("plant") == "PL-1").num_rows == 6  # every reader works
    again = CliRunner().invoke(app, ["lake", "repair"])
    assert again.exit_code == 0 and "bronze.erp__parts: every file holds the declared types" in again.output
    assert open_table(poisoned, SPEC.relative_path).version() == before_version + 1


def test_repair_of_an_unknown_table_is_a_clean_error(poisoned):
    result = CliRunner().invoke(app, ["lake", "repair", "bronze.nope"])
    assert result.exit_code == 2 and "no lake table 'bronze.nope'" in result.output
