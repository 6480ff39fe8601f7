"""Committing foreign Parquet files into Delta with delta-rs (no Spark needed)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, write_deltalake

from lake import sql as lakesql
from lake.batch import transaction_app_id
from lake.storage import LakeStorage
from lake.tables import read_table
from pipelines.engines.parquet_commit import (
    STAGING_DIR,
    add_actions,
    clean_uncommitted,
    commit_files,
    file_stats,
    finish,
    new_staging,
    partition_values,
    publish_staged,
)

SCHEMA = pa.schema(
    [
        pa.field("item_id", pa.string()),
        pa.field("qty", pa.int64()),
        pa.field("price", pa.decimal128(18, 4)),
        pa.field("ok", pa.bool_()),
        pa.field("ratio", pa.float64()),
        pa.field("day", pa.date32()),
        pa.field("updated_at", pa.timestamp("us", tz="UTC")),
        pa.field("blob", pa.binary()),
    ]
)
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def rows(start: int, n: int) -> pa.Table:
    return pa.table(
        {
            "item_id": [f"i{k:03d}" for k in range(start, start + n)],
            "qty": [k if k % 4 else None for k in range(start, start + n)],
            "price": [Decimal(k).scaleb(-2) for k in range(start, start + n)],
            "ok": [k % 2 == 0 for k in range(start, start + n)],
            "ratio": [k / 3 for k in range(start, start + n)],
            "day": [dt.date(2026, 1, 1) + dt.timedelta(days=k) for k in range(start, start + n)],
            "updated_at": [T0 + dt.timedelta(seconds=k, microseconds=123_456) for k in range(start, start + n)],
            "blob": [b"x"] * n,
        },
        schema=SCHEMA,
    )


def stage(table_path: Path, tables: list[pa.Table]):
    staging = new_staging(table_path)
    folder = staging.part("inserts")
    folder.mkdir(parents=True)
    for i, t in enumerate(tables):
        pq.write_table(t, folder / f"part-{i:05d}-{staging.token}.parquet")
    return staging


def test_footer_stats_equal_what_delta_rs_writes(tmp_path):
    data = rows(0, 9)
    write_deltalake(str(tmp_path / "ref"), data)
    pq.write_table(data, tmp_path / "f.parquet")
    n, stats = file_stats(tmp_path / "f.parquet", SCHEMA)
    ours = json.loads(stats)
    log = next(
        json.loads(line)["add"]
        for line in (tmp_path / "ref" / "_delta_log" / "00000000000000000000.json").read_text().splitlines()
        if '"add"' in line
    )
    theirs = json.loads(log["stats"])
    assert n == 9 and ours == theirs


def test_staged_files_commit_atomically_with_app_ids_and_read_back(tmp_path):
    path = tmp_path / "lake" / "bronze" / "t"
    staging = stage(path, [rows(0, 5), rows(5, 5)])
    ids = [transaction_app_id("b1"), transaction_app_id("b2")]
    published = publish_staged(staging, "inserts", ids)
    version = commit_files(str(path), SCHEMA, add_actions(path, published, SCHEMA), ids, name="bronze.t")
    finish(staging)
    assert version == 0 and not (path / STAGING_DIR).exists()
    table = DeltaTable(str(path))
    assert table.transaction_version(ids[0]) == 1 and table.transaction_version(ids[1]) == 1
    assert table.metadata().name == "bronze.t"
    lake = LakeStorage(str(tmp_path / "lake"))
    stored = read_table(lake, "bronze/t").sort_by("item_id")
    assert stored.equals(rows(0, 10))
    got = lakesql.connect(lake).execute("select count(*), sum(qty), max(price) from bronze.t").fetchone()
    assert got == (10, sum(k for k in range(10) if k % 4), Decimal("0.09"))

    staging = stage(path, [rows(10, 3)])
    published = publish_staged(staging, "inserts", [transaction_app_id("b3")])
    assert commit_files(str(path), SCHEMA, add_actions(path, published, SCHEMA), [transaction_app_id("b3")]) == 1
    finish(staging)
    assert DeltaTable(str(path)).get_add_actions(flatten=True).column("num_records").to_pylist().count(3) == 1


def test_uncommitted_files_are_cleaned_committed_ones_kept(tmp_path):
    path = tmp_path / "t"
    ok = stage(path, [rows(0, 4)])
    kept = publish_staged(ok, "inserts", [transaction_app_id("good")])
    commit_files(str(path), SCHEMA, add_actions(path, kept, SCHEMA), [transaction_app_id("good")])
    # the committed attempt "crashed" before finish(): its manifest is still there
    crashed = stage(path, [rows(100, 4)])
    orphans = publish_staged(crashed, "inserts", [transaction_app_id("crashed")])
    half = new_staging(path)  # Spark died while writing: only a staging folder
    (half.part("inserts")).mkdir(parents=True)
    pq.write_table(rows(200, 2), half.part("inserts") / "part-0.parquet")

    assert clean_uncommitted(path, older_than_s=3600) == []  # too young: maybe still live
    deleted = clean_uncommitted(path, older_than_s=0)
    assert set(deleted) == {*orphans, str(half.part("inserts").relative_to(path) / "part-0.parquet")}
    assert all((path / rel).exists() for rel in kept)
    assert not (path / STAGING_DIR).exists()
    assert read_table(LakeStorage(str(tmp_path)), "t").num_rows == 4


def test_partition_values_from_hive_folders():
    assert partition_values("day=2026-01-01/region=a%2Fb/part-0.parquet", ["day", "region"]) == {
        "day": "2026-01-01",
        "region": "a/b",
    }
    assert partition_values("day=__HIVE_DEFAULT_PARTITION__/p.parquet", ["day"]) == {"day": None}
    with pytest.raises(ValueError):
        partition_values("p.parquet", ["day"])
