"""The lake on S3-compatible object storage (``LAKE__ROOT=s3://…``), against the tests' own
moto S3 server (``tests/s3_support.py``).

The demo ERP is ingested twice from the same source database, into a local lake and into an
S3 lake, with the same batch size: the S3 lake must hold exactly what the local one holds
(rows, lineage, quarantine, Delta versions, watermarks), and every lake path must work on
it: re-ingest, ``grouplake sql``, the gold publication, a MERGE, racing writers.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter
from dataclasses import dataclass

import dagster as dg
import duckdb
import pyarrow as pa
import pytest
from deltalake import write_deltalake

from dbt_project.marts import MartSpec, read_mart
from infra.settings import Settings, get_settings, reset_settings_cache
from lake.publish import content_hash, published_hash
from lake.spec import EntitySpec
from lake.sql import connect, discover_tables
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from lake.watermarks import read_watermark
from lake.writer import merge_batch
from orchestration.gold.publish import publish_mart
from pipelines.ingest import IngestReport
from pipelines.sources.erp.specs import erp_specs
from tests.pipelines.sources import erp_helpers as h
from tests.s3_support import MotoS3Server, S3Bucket

pytestmark = pytest.mark.s3

BATCH_ROWS = 500  # several batches per large entity: appends onto existing S3 tables


@dataclass
class Lakes:
    """The same demo ERP ingested into a local lake and an S3 lake."""

    bucket: S3Bucket
    local_settings: Settings
    s3_settings: Settings
    manifest: object
    first_local: dict[str, IngestReport]
    first_s3: dict[str, IngestReport]

    @property
    def local(self) -> LakeStorage:
        return LakeStorage.from_settings(self.local_settings)

    @property
    def s3(self) -> LakeStorage:
        return LakeStorage.from_settings(self.s3_settings)


@pytest.fixture(scope="module")
def lakes(tmp_path_factory: pytest.TempPathFactory, s3_server: MotoS3Server) -> Lakes:
    home = tmp_path_factory.mktemp("erp-on-s3") / "home"
    local_settings = h.make_settings(home)
    manifest = h.generate(local_settings)
    bucket = s3_server.new_bucket()
    s3_settings = h.make_settings(
        home, lake={"root": bucket.uri("lake"), "storage_options": bucket.storage_options}
    )
    first_local = h.ingest_all(local_settings, batch_rows=BATCH_ROWS)
    first_s3 = h.ingest_all(s3_settings, batch_rows=BATCH_ROWS)
    return Lakes(bucket, local_settings, s3_settings, manifest, first_local, first_s3)


def test_settings_point_the_lake_at_the_bucket(lakes):
    assert lakes.s3_settings.lake.root == f"s3://{lakes.bucket.name}/lake"
    assert not lakes.s3_settings.lake.is_local and not lakes.s3.is_local
    assert lakes.s3.delta_options() == lakes.bucket.storage_options
    log = lakes.bucket.keys("lake/bronze/erp/purchase_orders/_delta_log/")
    assert log[0] == "lake/bronze/erp/purchase_orders/_delta_log/00000000000000000000.json"


def test_every_source_row_lands_or_is_quarantined_as_on_a_local_lake(lakes):
    quarantined = Counter(r["entity"] for r in h.quarantine_rows(lakes.s3))
    for spec in erp_specs():
        source_rows = lakes.manifest.row_counts[f"erp.{spec.entity}"]
        landed = read_table(lakes.s3, spec.relative_path, columns=list(spec.key)).num_rows
        assert landed + quarantined[spec.entity] == source_rows, spec.entity
        assert lakes.first_s3[spec.entity].extracted == source_rows
        s3_batches = [b.batch_id for b in lakes.first_s3[spec.entity].batches]
        assert s3_batches == [b.batch_id for b in lakes.first_local[spec.entity].batches], spec.entity
        assert h.table_rows(lakes.s3, spec) == h.table_rows(lakes.local, spec), spec.entity
    receipts = lakes.manifest.row_counts["erp.goods_receipts"]
    assert receipts > 2 * BATCH_ROWS  # several appends onto an existing S3 table
    assert len(lakes.first_s3["goods_receipts"].batches) == -(-receipts // BATCH_ROWS)
    assert h.versions(lakes.s3) == h.versions(lakes.local)
    # the same rows quarantined with the same ids, reasons and raw values
    assert h.quarantine_rows(lakes.s3) == h.quarantine_rows(lakes.local)
    assert sum(quarantined.values()) == sum(r.quarantined for r in lakes.first_local.values()) > 0
    assert all(r["reason"] for r in h.quarantine_rows(lakes.s3))


def test_a_second_ingest_writes_nothing(lakes):
    versions, objects = h.versions(lakes.s3), lakes.bucket.keys("lake/")
    reports = h.ingest_all(lakes.s3_settings, batch_rows=BATCH_ROWS)
    assert all(r.batches == [] for r in reports.values())
    assert h.versions(lakes.s3) == versions
    assert lakes.bucket.keys("lake/") == objects  # no Delta version, no watermark rewrite


def test_watermarks_persist_on_the_object_store(lakes):
    client = lakes.bucket.client()
    for spec in erp_specs():
        key = f"lake/_meta/watermarks/erp/{spec.entity}.json"
        stored = json.loads(client.get_object(Bucket=lakes.bucket.name, Key=key)["Body"].read())
        assert stored["batch_id"] == lakes.first_s3[spec.entity].batches[-1].batch_id
        assert stored["value"] == read_watermark(lakes.local, "erp", spec.entity) is not None
        assert read_watermark(lakes.s3, "erp", spec.entity) == stored["value"]
    # nothing of the S3 lake leaked onto the local disk
    home = lakes.s3_settings.home
    assert not any(lakes.bucket.name in str(p) for p in home.rglob("*"))


def test_lake_sql_lists_and_queries_the_s3_tables(lakes):
    expected = sorted([*(s.sql_name for s in erp_specs()), "bronze.quarantine"])
    assert [t.sql_name for t in discover_tables(lakes.s3)] == expected
    quarantined = Counter(r["entity"] for r in h.quarantine_rows(lakes.s3))
    con = connect(lakes.s3)
    local = connect(lakes.local)
    try:
        for spec in erp_specs():
            count = con.execute(f"select count(*) from {spec.sql_name}").fetchone()[0]
            assert count == lakes.manifest.row_counts[spec.name] - quarantined[spec.entity], spec.name
        by_entity = dict(con.execute("select entity, count(*) from bronze.quarantine group by entity").fetchall())
        assert by_entity == dict(quarantined)
        query = (
            "select count(*), count(distinct _batch_id), count(distinct vendor_id) "
            "from bronze.erp__purchase_orders"
        )
        assert con.execute(query).fetchone() == local.execute(query).fetchone()
    finally:
        con.close()
        local.close()


# -- the gold publication, configured the way the README says: environment variables ---------

MART = "toy_mart"
MART_SPEC = MartSpec(MART, order_by=("customer_id",))


def _gold_graph(duckdb_path: str, rows: list[tuple[str, int]]) -> list:
    @dg.asset(key=["dbt", MART])
    def model() -> None:
        with duckdb.connect(duckdb_path) as con:
            con.execute("create schema if not exists marts")
            con.execute(f"create or replace table marts.{MART} (customer_id varchar, amount bigint)")
            con.executemany(f"insert into marts.{MART} values (?, ?)", rows)

    @dg.asset_check(asset=dg.AssetKey(["dbt", MART]), name="always_passes", blocking=True)
    def check() -> dg.AssetCheckResult:
        return dg.AssetCheckResult(passed=True)

    return [model, check, publish_mart(MART_SPEC)]


def test_gold_publication_writes_and_skips_unchanged_content_on_s3(settings, monkeypatch, s3_bucket):
    monkeypatch.setenv("LAKE__ROOT", s3_bucket.uri("lake"))
    monkeypatch.setenv("LAKE__STORAGE_OPTIONS", json.dumps(s3_bucket.storage_options))
    reset_settings_cache()
    configured = get_settings()
    assert configured.lake.storage_options == s3_bucket.storage_options
    storage = LakeStorage.from_settings(configured)
    configured.home.mkdir(parents=True, exist_ok=True)
    (configured.home / "dbt").mkdir()
    path = configured.dbt.duckdb_path
    instance = dg.DagsterInstance.ephemeral()

    def publish(rows: list[tuple[str, int]]) -> dict:
        result = dg.materialize(_gold_graph(path, rows), instance=instance)
        return result.asset_materializations_for_node(f"gold__{MART}")[0].metadata

    first = publish([("b", 2), ("a", 1)])
    assert (first["published"].value, first["delta_version"].value) == (True, 0)
    assert published_hash(storage, MART_SPEC.relative_path) == (content_hash(read_mart(path, MART_SPEC)), 0)
    assert read_table(storage, f"gold/{MART}").column("customer_id").to_pylist() == ["a", "b"]

    unchanged = publish([("a", 1), ("b", 2)])
    assert (unchanged["published"].value, unchanged["delta_version"].value) == (False, 0)
    assert open_table(storage, f"gold/{MART}").version() == 0

    changed = publish([("a", 1), ("c", 3)])
    assert (changed["published"].value, changed["delta_version"].value) == (True, 1)
    assert read_table(storage, f"gold/{MART}").column("customer_id").to_pylist() == ["a", "c"]
    assert s3_bucket.keys(f"lake/gold/{MART}/_delta_log/") == [
        f"lake/gold/{MART}/_delta_log/{v:020d}.json" for v in (0, 1)
    ]
    assert [t.sql_name for t in discover_tables(storage)] == [f"gold.{MART}"]


# -- writer semantics and concurrency on S3 ---------------------------------------------------

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ITEMS = EntitySpec(
    "erp", "items",
    pa.schema([("item_id", pa.string()), ("qty", pa.int64()), ("updated_at", pa.timestamp("us", tz="UTC"))]),
    key=("item_id",),
)


def _items(rows: list[tuple[str, int, int]]) -> pa.Table:
    return pa.table(
        {
            "item_id": [r[0] for r in rows],
            "qty": [r[1] for r in rows],
            "updated_at": pa.array([T0 + dt.timedelta(hours=r[2]) for r in rows], pa.timestamp("us", tz="UTC")),
        },
        schema=ITEMS.schema,
    )


def test_merge_replaces_only_newer_rows_and_a_retry_is_a_noop_on_s3(s3_bucket):
    storage = LakeStorage(s3_bucket.uri("lake"), s3_bucket.storage_options)
    merge_batch(storage, ITEMS, _items([("a", 1, 5), ("b", 2, 5)]), "b1")
    merged = merge_batch(storage, ITEMS, _items([("a", 10, 6), ("b", 20, 4), ("c", 3, 1)]), "b2")
    assert (merged.inserted, merged.updated, merged.unchanged, merged.version) == (1, 1, 1, 1)
    retried = merge_batch(storage, ITEMS, _items([("a", 10, 6), ("b", 20, 4), ("c", 3, 1)]), "b2")
    assert retried.skipped_retry and retried.version is None
    same = merge_batch(storage, ITEMS, _items([("a", 10, 6)]), "b3")
    assert (same.unchanged, same.version) == (1, None)
    state = {r["item_id"]: (r["qty"], r["_batch_id"]) for r in read_table(storage, ITEMS.relative_path).to_pylist()}
    assert state == {"a": (10, "b2"), "b": (2, "b1"), "c": (3, "b2")}
    # version 2 rewrote the MERGE's string_view files to the declared types (lake.conform)
    assert open_table(storage, ITEMS.relative_path).version() == 2
    con = connect(storage)
    assert con.execute("select qty from bronze.erp__items where item_id = 'a'").fetchall() == [(10,)]


def test_concurrent_writers_lose_no_commit(s3_bucket):
    """Racing appends from several threads: each commit lands in its own version (delta-rs
    writes the log entry with a conditional PUT; the loser of a race retries)."""
    storage = LakeStorage(s3_bucket.uri("lake"), s3_bucket.storage_options)
    uri = storage.uri("bronze/race/t")
    write_deltalake(uri, pa.table({"n": [0]}), storage_options=storage.delta_options())
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            write_deltalake(uri, pa.table({"n": [n]}), mode="append", storage_options=storage.delta_options())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    writers = [threading.Thread(target=append, args=(n,)) for n in range(1, 5)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert errors == []
    assert sorted(read_table(storage, "bronze/race/t").column("n").to_pylist()) == [0, 1, 2, 3, 4]
    assert open_table(storage, "bronze/race/t").version() == 4
    assert len(s3_bucket.keys("lake/bronze/race/t/_delta_log/")) == 5
