"""Building snapshots from gold: what is copied and derived, no-op rebuilds, the atomic pointer,
garbage collection after the grace period."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import duckdb

from lake.storage import LakeStorage
from serving.snapshot.build import build_snapshot
from serving.snapshot.pointer import collect_garbage, read_pointer
from tests.serving.factories import DOCS, write_gold


def _query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_build_copies_gold_and_derives_the_api_tables(settings, tiny_snapshot):
    info = tiny_snapshot.info
    path = Path(settings.serving.snapshot_dir) / info.file
    assert tiny_snapshot.built and path.exists()
    assert read_pointer(settings.serving.snapshot_dir) == info
    assert {m: s["rows"] for m, s in info.sources.items()} == {
        "supplier_master": 3, "supplier_source_records": 5, "supplier_scorecards": 6,
        "supplier_scorecards_current": 3, "supplier_spend_by_bu": 3, "customer_rfm": 3, "ml_delivery_risk": 3,
        "onboarding_cycle_time_summary": 3}
    assert "inventory_accuracy" in tiny_snapshot.missing
    assert _query(path, "SELECT supplier_key, business_unit_code FROM serving.supplier_units "
                        "ORDER BY ALL") == [("SUP-A", "COAL"), ("SUP-B", "COAL"), ("SUP-B", "POWER"),
                                            ("SUP-C", "POWER")]
    assert _query(path, "SELECT * FROM serving.platform_suppliers") == [("P-1", "SUP-A")]
    assert _query(path, "SELECT metric, metric_group, definition, score_definition "
                        "FROM serving.metric_definitions ORDER BY position") == [
        ("defect_ppm", "quality", "Rejected quantity / inspected quantity x 1e6.",
         "Mid-rank percentile among peers, lower is better."),
        ("on_time_delivery_rate", "delivery", "Due lines delivered by the promised date / due lines.", None),
        ("new_metric", "other", None, None),
    ]
    key, etag, offset, length, units = _query(
        path, "SELECT supplier_key, etag, body_offset, body_length, units FROM "
              "serving.scorecard_documents ORDER BY supplier_key")[1]
    bodies = (path.parent / info.documents).read_bytes()
    assert info.documents == info.file.replace(".duckdb", ".documents")
    document = json.loads(bodies[offset:offset + length])
    assert (key, units, document["scorecard_month"], document["overall_score"]) == (
        "SUP-B", ["COAL", "POWER"], "2026-11-01", 55.0)
    assert document["activity"] == {"spend_group": "2001.0000", "currency": "CNY"}
    assert etag.startswith('"') and len(etag) == 34


def test_unchanged_gold_is_not_rebuilt_and_a_new_version_is(settings, tiny_snapshot):
    storage = LakeStorage(settings.lake.root)
    again = build_snapshot(storage, settings.serving.snapshot_dir, column_docs=DOCS)
    assert not again.built and again.info == tiny_snapshot.info
    other_docs = build_snapshot(storage, settings.serving.snapshot_dir, column_docs={})
    assert other_docs.built  # the definitions changed: a new snapshot
    write_gold(Path(settings.lake.root), marts=("customer_rfm",))  # a new Delta version
    fresh = build_snapshot(storage, settings.serving.snapshot_dir, column_docs={})
    assert fresh.built and fresh.previous == other_docs.info
    assert fresh.info.sources["customer_rfm"]["version"] == 1
    assert read_pointer(settings.serving.snapshot_dir).snapshot_id == fresh.info.snapshot_id


def test_retired_snapshots_are_deleted_only_after_the_grace_period(settings, tiny_snapshot):
    storage = LakeStorage(settings.lake.root)
    directory = Path(settings.serving.snapshot_dir)
    first = tiny_snapshot.info.file
    second = build_snapshot(storage, directory, force=True, grace_s=3600, keep=0)
    assert (directory / first).exists() and second.deleted == []
    third = build_snapshot(storage, directory, force=True, grace_s=3600, keep=0)
    assert (directory / first).exists() and third.deleted == []
    retired_at = (directory / first).stat().st_mtime
    assert collect_garbage(directory, grace_s=3600, keep=0, now=retired_at + 10) == []
    deleted = collect_garbage(directory, grace_s=3600, keep=1, now=retired_at + 3601)
    # the second one is kept (keep=1), the current one always; both files of a snapshot go
    assert deleted == sorted([first, tiny_snapshot.info.documents])
    assert sorted(p.name for p in directory.glob("snapshot-*")) == sorted(
        [second.info.file, second.info.documents, third.info.file, third.info.documents])


def test_a_dead_build_leaves_a_temporary_file_that_is_collected(settings, tiny_snapshot):
    directory = Path(settings.serving.snapshot_dir)
    leftover = directory / "snapshot-20260101T000000000000Z-deadbeef.duckdb.123.tmp"
    leftover.write_bytes(b"partial")
    old = time.time() - 7200
    os.utime(leftover, (old, old))
    assert collect_garbage(directory, grace_s=3600, keep=2) == [leftover.name]
    assert read_pointer(directory) == tiny_snapshot.info


def test_pointer_naming_a_missing_file_means_no_snapshot(settings, tiny_snapshot):
    directory = Path(settings.serving.snapshot_dir)
    (directory / tiny_snapshot.info.file).unlink()
    assert read_pointer(directory) is None
