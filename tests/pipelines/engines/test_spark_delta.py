"""Spark-written, delta-rs-committed tables: readable everywhere, exact merge semantics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from deltalake import DeltaTable, QueryBuilder

from lake import sql as lakesql
from lake.batch import transaction_app_id
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from lake.writer import merge_batch
from pipelines.engines.parquet_commit import STAGING_DIR, new_staging, publish_staged
from pipelines.engines.spark_delta import land_dataframe

pytestmark = pytest.mark.spark

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPEC = EntitySpec(
    "erp",
    "items",
    pa.schema(
        [
            ("item_id", pa.string()),
            ("qty", pa.int64()),
            ("price", pa.decimal128(18, 4)),
            ("day", pa.date32()),
            ("updated_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    key=("item_id",),
    description="test items",
)


def batch(rows: list[tuple[str, int, int]]) -> pa.Table:
    """(key, qty, hour of change) rows in the declared schema."""
    return pa.table(
        {
            "item_id": [r[0] for r in rows],
            "qty": [r[1] for r in rows],
            "price": [Decimal(r[1]).scaleb(-4) for r in rows],
            "day": [dt.date(2026, 1, 1 + r[2] % 28) for r in rows],
            "updated_at": [T0 + dt.timedelta(hours=r[2], microseconds=7) for r in rows],
        },
        schema=SPEC.schema,
    )


def land(spark, storage, spec, table: pa.Table, batch_id: str, **kw):
    from pyspark.sql import functions as F

    df = spark.createDataFrame(table).withColumn("_batch_id", F.lit(batch_id))
    return land_dataframe(spark, storage, spec, df, [batch_id], **kw)


def state(storage: LakeStorage, spec: EntitySpec = SPEC) -> dict[str, tuple[int, str]]:
    return {r["item_id"]: (r["qty"], r["_batch_id"]) for r in read_table(storage, spec.relative_path).to_pylist()}


@pytest.fixture
def storage(tmp_path) -> LakeStorage:
    return LakeStorage(str(tmp_path / "lake"))


def test_new_table_reads_back_in_deltalake_duckdb_and_pyarrow(spark, storage):
    r = land(spark, storage, SPEC, batch([(f"k{i:03d}", i, i) for i in range(50)]), "b1")
    assert (sum(r.inserted.values()), r.versions) == (50, [0])
    table = open_table(storage, SPEC.relative_path)
    assert table.schema().to_arrow() == pa.schema(SPEC.lake_schema)  # same declared schema
    assert table.metadata().name == SPEC.sql_name
    assert table.transaction_version(transaction_app_id("b1")) == 1
    stored = read_table(storage, SPEC.relative_path).drop_columns(["_ingested_at"]).sort_by("item_id")
    assert stored.select(SPEC.schema.names).equals(batch([(f"k{i:03d}", i, i) for i in range(50)]))
    assert set(stored.column("_batch_id").to_pylist()) == {"b1"}
    uri = storage.uri(SPEC.relative_path)
    total = QueryBuilder().register("t", DeltaTable(uri)).execute("select sum(qty) as s from t").read_all()
    assert total.column("s").to_pylist() == [sum(range(50))]
    con = lakesql.connect(storage)
    assert con.execute("select count(*), max(price) from bronze.erp__items").fetchone() == (50, Decimal("0.0049"))
    stats = table.get_add_actions(flatten=True)
    assert sum(stats.column("num_records").to_pylist()) == 50
    assert None not in stats.column("min.updated_at").to_pylist()


def test_retried_batch_is_a_noop_and_nothing_new_makes_no_version(spark, storage):
    land(spark, storage, SPEC, batch([("a", 1, 0), ("b", 2, 0)]), "b1")
    again = land(spark, storage, SPEC, batch([("a", 1, 0), ("b", 2, 0)]), "b1")
    assert again.skipped_retry and again.version is None
    same = land(spark, storage, SPEC, batch([("a", 9, 0)]), "b2")  # equal timestamp: not newer
    assert same.versions == [] and same.unchanged == {None: 1}
    assert open_table(storage, SPEC.relative_path).version() == 0
    assert state(storage) == {"a": (1, "b1"), "b": (2, "b1")}


def test_update_only_when_strictly_newer_then_inserts_append(spark, storage):
    land(spark, storage, SPEC, batch([("a", 1, 5), ("b", 2, 5), ("c", 3, 5)]), "b1")
    r = land(spark, storage, SPEC, batch([("a", 10, 6), ("b", 20, 4), ("c", 30, 5), ("d", 4, 1)]), "b2")
    assert (r.inserted, r.updated, r.unchanged) == ({None: 1}, {None: 1}, {None: 2})
    assert state(storage) == {"a": (10, "b2"), "b": (2, "b1"), "c": (3, "b1"), "d": (4, "b2")}
    table = open_table(storage, SPEC.relative_path)
    history = list(reversed(table.history()))
    # version 2 rewrites the MERGE's string_view files to the declared types (lake.conform)
    assert [h["operation"] for h in history] == ["CREATE TABLE", "MERGE", "WRITE", "WRITE"] and r.versions == [1, 3]
    assert history[2].get("grouplake.operation") == "conform column types"
    # merge committed under the "updates" id, the final append under the batch's data id
    assert table.transaction_version(transaction_app_id("b2", "updates")) == 1
    assert table.transaction_version(transaction_app_id("b2")) == 1
    # the embedded writer sees the Spark batch as committed, and merges on top of it
    assert merge_batch(storage, SPEC, batch([("a", 10, 6)]), "b2").skipped_retry
    merge_batch(storage, SPEC, batch([("a", 11, 7)]), "b3")
    assert state(storage)["a"] == (11, "b3")


def test_duplicate_keys_in_one_run_keep_the_newest(spark, storage):
    r = land(spark, storage, SPEC, batch([("a", 1, 1), ("a", 3, 3), ("a", 2, 2), ("b", 1, 0)]), "b1")
    assert sum(r.inserted.values()) == 2
    assert state(storage)["a"] == (3, "b1")


def test_crashed_attempt_files_never_show_and_are_cleaned(spark, storage):
    land(spark, storage, SPEC, batch([("a", 1, 0)]), "b1")
    path = storage.uri(SPEC.relative_path)
    crashed = new_staging(path)  # an attempt that moved its files and died before committing
    spark.createDataFrame(batch([("zz", 99, 9)])).write.parquet(str(crashed.part("inserts")))
    orphans = publish_staged(crashed, "inserts", [transaction_app_id("lost")])
    assert state(storage) == {"a": (1, "b1")}  # not in the log: invisible
    land(spark, storage, SPEC, batch([("b", 2, 0)]), "b2", staging_grace_s=0)
    assert not any(Path(path, o).exists() for o in orphans)
    assert not Path(path, STAGING_DIR).exists()
    assert state(storage) == {"a": (1, "b1"), "b": (2, "b2")}


def test_partitioned_table(spark, storage):
    spec = EntitySpec("iot", "events", SPEC.schema, key=("item_id",), partition_by=("day",))
    r = land(spark, storage, spec, batch([(f"e{i}", i, i) for i in range(6)]), "b1")
    assert r.versions == [0]
    table = open_table(storage, spec.relative_path)
    assert table.metadata().partition_columns == ["day"]
    stored = read_table(storage, spec.relative_path)
    assert sorted(stored.column("day").to_pylist()) == [dt.date(2026, 1, 1 + i) for i in range(6)]
    land(spark, storage, spec, batch([("e1", 100, 30)]), "b2")
    assert state(storage, spec)["e1"] == (100, "b2")


def test_crash_between_merge_and_append_is_completed_by_the_retry(spark, storage, monkeypatch):
    from pipelines.engines import spark_delta

    land(spark, storage, SPEC, batch([("a", 1, 5)]), "b1")

    def crash(*args, **kwargs):
        raise RuntimeError("killed between the merge and the append")

    monkeypatch.setattr(spark_delta, "publish_staged", crash)
    with pytest.raises(RuntimeError):
        land(spark, storage, SPEC, batch([("a", 2, 6), ("n", 1, 1)]), "b2")
    assert state(storage) == {"a": (2, "b2")}  # the merge committed, the append did not
    monkeypatch.undo()
    retry = land(spark, storage, SPEC, batch([("a", 2, 6), ("n", 1, 1)]), "b2")
    assert (retry.inserted, retry.updated, retry.unchanged) == ({None: 1}, {}, {None: 1})
    assert state(storage) == {"a": (2, "b2"), "n": (1, "b2")}
    table = open_table(storage, SPEC.relative_path)
    assert table.transaction_version(transaction_app_id("b2")) is not None
    # no untracked file: a full vacuum would delete only what a plain one deletes (tombstones)
    full = table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=True, full=True)
    plain = table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=True)
    assert sorted(full) == sorted(plain)
