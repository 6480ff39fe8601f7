"""IoT JSON Lines drops: every event once (duplicates included), partitioned by date, bad lines quarantined."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest

from demo.manifest import DemoManifest
from lake.storage import LakeStorage
from lake.tables import open_table
from pipelines.sources.iot.drops import ingest_iot_drops
from pipelines.sources.iot.specs import IOT_SPECS, iot_specs
from tests.pipelines.sources import source_demo as demo
from tests.pipelines.sources import wms_drops as files


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    settings = demo.demo_copy(tmp_path_factory, tmp_path_factory.mktemp("iot-demo"))
    lake = LakeStorage.from_settings(settings)
    reports = {spec.entity: ingest_iot_drops(lake, spec, settings.iot) for spec in iot_specs()}
    return settings, lake, reports


def test_every_event_lands_exactly_once_duplicates_included(demo_run):
    settings, lake, reports = demo_run
    manifest = DemoManifest.read(Path(settings.demo.dir))
    with (Path(settings.demo.dir) / "ground_truth" / "iot_duplicates.csv").open(encoding="utf-8") as fh:
        duplicated = [r["event_id"] for r in csv.DictReader(fh)]
    assert duplicated
    landed: set[str] = set()
    for spec in iot_specs():
        ids = [r["event_id"] for r in demo.rows(lake, spec)]
        assert len(ids) == len(set(ids)) == manifest.row_counts[f"iot.{spec.entity}"], spec.entity
        landed |= set(ids)
    assert set(duplicated) <= landed
    assert sum(r.extracted for r in reports.values()) == manifest.row_counts["iot.lines"]
    assert sum(r.inserted for r in reports.values()) == len(landed)
    assert demo.quarantine(lake) == []


def test_tables_are_partitioned_by_event_date(demo_run):
    _, lake, _ = demo_run
    for spec in iot_specs():
        table = open_table(lake, spec.relative_path)
        assert table.metadata().partition_columns == ["event_date"]
    for row in demo.rows(lake, IOT_SPECS["temperature"])[:200]:
        assert row["event_date"] == row["recorded_at"].astimezone(dt.UTC).date()
        assert row["_source"] == "iot" and row["_batch_id"].startswith("iot.temperature.")


def test_rerun_creates_no_version_and_the_landing_folder_is_empty(demo_run):
    settings, lake, reports = demo_run
    assert all(r.files_landed for r in reports.values())
    assert list(Path(settings.iot.landing_dir).rglob("*.jsonl")) == []
    before = [demo.version(lake, s) for s in iot_specs()]
    again = [ingest_iot_drops(lake, spec, settings.iot) for spec in iot_specs()]
    assert [demo.version(lake, s) for s in iot_specs()] == before and all(r.batches == [] for r in again)


def _event(i: int, kind: str = "temperature", day: int = 1) -> dict:
    return {"event_id": f"tmp-T-{i}", "kind": kind, "device_id": "TMP-T-1", "warehouse_code": "W1",
            "recorded_at": f"2026-02-0{day}T0{i % 10}:00:00Z", "temperature_c": 20.0 + i, "humidity_pct": 50.0}


def test_bad_lines_are_quarantined_and_redelivered_events_are_no_ops(tmp_path):
    settings = demo.make_settings(tmp_path / "home")
    lake = LakeStorage.from_settings(settings)
    landing = Path(settings.iot.landing_dir)
    spec = IOT_SPECS["temperature"]
    good = [json.dumps(_event(i)) for i in range(5)]
    lines = [*good[:2], '{"event_id": "tmp-T-x", "kind": "temperature"', good[2],
             json.dumps(_event(9) | {"temperature_c": "hot"}), json.dumps(_event(8, kind="gps")), *good[3:], good[0]]
    data = ("\n".join(lines) + "\n").encode() + b'{"event_id":"tmp-T-7","device_id":"\xb2\xe2"}\n'
    files.write(landing / "temperature" / "temperature_2026-02-01.jsonl", data)
    report = ingest_iot_drops(lake, spec, settings.iot)
    assert (report.extracted, report.inserted, report.quarantined) == (10, 5, 4)
    reasons = sorted(r["reason"].split(";")[0] for r in demo.quarantine(lake))
    assert reasons == [
        "column 'temperature_c': cannot cast 'hot' to double",
        "event kind 'gps' does not belong in iot.temperature",
        "line 10 is not valid UTF-8 (bytes shown with backslash escapes)",
        "line 3 is not valid JSON: Expecting ',' delimiter at column 46",
    ]
    raw = [json.loads(r["raw_record"])["_raw_line"] for r in demo.quarantine(lake)]
    assert '{"event_id":"tmp-T-7","device_id":"\\xb2\\xe2"}' in raw

    # the same events again, in a new file with one new event: only the new one lands
    again = [*good, json.dumps(_event(6, day=2))]
    files.write(landing / "temperature" / "temperature_2026-02-02.jsonl", ("\n".join(again) + "\n").encode())
    report = ingest_iot_drops(lake, spec, settings.iot)
    assert (report.inserted, report.batches[0].unchanged) == (1, 5)
    assert [r["event_id"] for r in demo.rows(lake, spec)] == [f"tmp-T-{i}" for i in (0, 1, 2, 3, 4, 6)]


def test_a_group_validated_as_one_table_quarantines_like_file_by_file(tmp_path):
    spec = IOT_SPECS["temperature"]
    contents = {
        "temperature/temperature_2026-02-01.jsonl": [json.dumps(_event(1)), "{oops", json.dumps(_event(2) | {"humidity_pct": "wet"})],
        "temperature/temperature_2026-02-02.jsonl": [json.dumps(_event(3, day=2)), json.dumps(_event(4, kind="agv", day=2))],
    }

    def run(home: Path, together: bool) -> tuple[list[dict], list[dict]]:
        settings = demo.make_settings(home)
        lake = LakeStorage.from_settings(settings)
        for name, lines in contents.items():
            files.write(Path(settings.iot.landing_dir) / name, ("\n".join(lines) + "\n").encode())
            if not together:
                ingest_iot_drops(lake, spec, settings.iot)
        if together:
            assert len(ingest_iot_drops(lake, spec, settings.iot).batches) == 1
        return demo.rows(lake, spec, drop=("_ingested_at", "_batch_id")), demo.quarantine(lake)

    one_by_one = run(tmp_path / "a", together=False)
    grouped = run(tmp_path / "b", together=True)
    assert grouped == one_by_one
    assert [r["event_id"] for r in grouped[0]] == ["tmp-T-1", "tmp-T-3"] and len(grouped[1]) == 3
