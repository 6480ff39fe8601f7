"""WMS file drops: per-file validation and quarantine, exactly-once by content hash, archive."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from demo.manifest import DemoManifest
from lake.storage import LakeStorage
from pipelines.sources.shared.ledger import FileLedger
from pipelines.sources.wms.ingest import ingest_wms_entity
from pipelines.sources.wms.specs import MOVEMENTS, STOCK_SNAPSHOTS, wms_specs
from tests.pipelines.sources import source_demo as demo
from tests.pipelines.sources import wms_drops as drops


@pytest.fixture
def wms(tmp_path):
    """Empty landing/archive folders and lake."""
    settings = demo.make_settings(tmp_path / "home")
    return settings, LakeStorage.from_settings(settings), Path(settings.wms.landing_dir)


def _ingest_all(settings, lake):
    return {spec.entity: ingest_wms_entity(lake, spec, settings.wms) for spec in wms_specs()}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    settings = demo.demo_copy(tmp_path_factory, tmp_path_factory.mktemp("wms-demo"))
    files = sorted(p.relative_to(settings.wms.landing_dir).as_posix() for p in Path(settings.wms.landing_dir).rglob("*.csv"))
    lake = LakeStorage.from_settings(settings)
    return settings, lake, files, _ingest_all(settings, lake)


def test_demo_drops_land_or_are_quarantined_exactly_as_the_truth_says(demo_run):
    settings, lake, files, reports = demo_run
    manifest = DemoManifest.read(Path(settings.demo.dir))
    with (Path(settings.demo.dir) / "ground_truth" / "dirty_rows.csv").open(encoding="utf-8") as fh:
        truth = [r for r in csv.DictReader(fh) if r["system"] == "wms"]
    bad_files = {r["location"] for r in truth if r["kind"] == "wrong_columns"}
    bad_lines = {(r["location"], int(r["key"])) for r in truth if r["kind"] != "wrong_columns"}
    quarantined = demo.quarantine(lake, "wms")
    got = Counter((r["origin"], r["reason"].split(";")[0]) for r in quarantined)
    assert all(origin in bad_files or any(origin == f for f, _ in bad_lines) for origin, _ in got)
    by_file_line = {(r["origin"], json.loads(r["raw_record"])["source_line"]) for r in quarantined}
    assert bad_lines <= by_file_line
    for path in bad_files:  # every data line of a wrong-columns file, with the header reason
        archived = next(Path(settings.wms.archive_dir).rglob(Path(path).stem + ".*"))
        lines = len(archived.read_bytes().splitlines()) - 1
        assert sum(n for (origin, _), n in got.items() if origin == path) == lines
        assert all("header does not match" in r["reason"] for r in quarantined if r["origin"] == path)
    movements = reports["movements"]
    assert movements.inserted + movements.quarantined == manifest.row_counts["wms.movements"]
    assert movements.quarantined == len(quarantined)
    assert reports["stock_snapshots"].quarantined == 0
    assert len(movements.files_landed) + len(reports["stock_snapshots"].files_landed) == len(files)


def test_landed_files_are_archived_under_their_content_hash_and_in_the_ledger(demo_run):
    settings, lake, files, reports = demo_run
    assert list(Path(settings.wms.landing_dir).rglob("*.csv")) == []
    archived = sorted(p.relative_to(settings.wms.archive_dir).as_posix() for p in Path(settings.wms.archive_dir).rglob("*.csv"))
    assert [a.rsplit(".", 2)[0] + ".csv" for a in archived] == files
    assert len(FileLedger(lake, "wms", "movements").landed()) == len(reports["movements"].files_landed)


def test_rows_carry_lineage_provenance_and_types(demo_run):
    _, lake, _, _ = demo_run
    row = demo.rows(lake, MOVEMENTS)[0]
    assert row["_source"] == "wms" and row["_batch_id"].startswith("wms.movements.")
    assert isinstance(row["quantity"], Decimal) and row["moved_at"].tzinfo is not None
    assert row["source_file"].startswith("movements/") and row["source_line"] >= 2
    snap = demo.rows(lake, STOCK_SNAPSHOTS)[0]
    assert isinstance(snap["snapshot_date"], dt.date) and snap["quantity_on_hand"] > 0


def test_rerun_with_nothing_new_creates_no_version(demo_run):
    settings, lake, _, _ = demo_run
    before = [demo.version(lake, s) for s in wms_specs()]
    reports = _ingest_all(settings, lake)
    assert [demo.version(lake, s) for s in wms_specs()] == before
    assert all(r.batches == [] for r in reports.values())


def test_a_malformed_drop_quarantines_bad_rows_with_reasons_and_lands_the_rest(wms):
    settings, lake, landing = wms
    good = [drops.movement_line(i) for i in range(1, 9)]
    lines = [*good[:3], drops.movement_line(4, quantity="N/A"), drops.movement_line(5, quantity="12吨"),
             *good[5:]]
    data = drops.csv_bytes(drops.MOVEMENT_HEADER, lines)
    gbk = (drops.movement_line(9, operator="王五") + "\n").encode("gbk")
    drops.write(landing / "movements" / "movements_WH-T_20260301_20260331.csv", data + gbk)
    renamed = drops.MOVEMENT_HEADER.replace("quantity", "qty")
    drops.write(landing / "movements" / "movements_WH-U_20260301_20260331.csv",
                drops.csv_bytes(renamed, [drops.movement_line(i) for i in range(20, 23)]))
    report = ingest_wms_entity(lake, MOVEMENTS, settings.wms)

    assert report.quarantined == 6 and report.inserted == 6 and report.extracted == 12
    got = {(r["origin"].rsplit("/", 1)[1], json.loads(r["raw_record"])["source_line"]): r
           for r in demo.quarantine(lake)}
    first = "movements_WH-T_20260301_20260331.csv"
    assert got[(first, 5)]["reason"] == "column 'quantity': cannot cast 'N/A' to decimal128(18, 4)"
    assert got[(first, 6)]["reason"] == "column 'quantity': cannot cast '12吨' to decimal128(18, 4)"
    assert got[(first, 5)]["record_key"] == "MV-T00004"
    utf8 = got[(first, 10)]
    assert utf8["reason"].startswith("line 10 is not valid UTF-8")
    assert "\\xcd\\xf5\\xce\\xe5" in json.loads(utf8["raw_record"])["_raw_line"]  # 王五 in GBK, escaped
    for line in (2, 3, 4):
        reason = got[("movements_WH-U_20260301_20260331.csv", line)]["reason"]
        assert "missing ['quantity']" in reason and "unexpected ['qty']" in reason
        assert json.loads(got[("movements_WH-U_20260301_20260331.csv", line)]["raw_record"])["qty"] == "12.5"
    landed = [r["movement_id"] for r in demo.rows(lake, MOVEMENTS)]
    assert landed == ["MV-T00001", "MV-T00002", "MV-T00003", "MV-T00006", "MV-T00007", "MV-T00008"]


def test_truncated_rows_extra_columns_and_empty_files_are_quarantined_verbatim(wms):
    settings, lake, landing = wms
    drops.write(landing / "movements_A.csv", drops.csv_bytes(drops.MOVEMENT_HEADER, [
        drops.movement_line(1), "MV-T00002,WH-T,SKU-1,A-01-01-1,receipt,3,吨,goods_receipt", drops.movement_line(3)]))
    drops.write(landing / "movements_B.csv", drops.csv_bytes(drops.MOVEMENT_HEADER + ",remark",
                                                             [drops.movement_line(4) + ",盘点差异"]))
    drops.write(landing / "movements_C.csv", b"")
    report = ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    reasons = {r["origin"]: r for r in demo.quarantine(lake)}
    assert report.inserted == 2 and report.quarantined == 3
    assert reasons["movements_A.csv"]["reason"].startswith("line 3 has 8 field(s), the header has 11")
    assert json.loads(reasons["movements_A.csv"]["raw_record"])["_raw_line"] == (
        "MV-T00002,WH-T,SKU-1,A-01-01-1,receipt,3,吨,goods_receipt")
    assert "unexpected ['remark']" in reasons["movements_B.csv"]["reason"]
    assert reasons["movements_C.csv"]["reason"].startswith("empty file: no header line")


def test_same_name_new_content_lands_again_same_content_is_skipped(wms):
    settings, lake, landing = wms
    path = landing / "stock" / "stock_WH-T_20260331.csv"
    header = "snapshot_date,warehouse_code,sku,bin,quantity_on_hand,uom"
    first = drops.csv_bytes(header, ["2026-03-31,WH-T,SKU-1,A-01,10,吨", "2026-03-31,WH-T,SKU-2,A-02,5,吨"])
    drops.write(path, first, mtime=1_774_000_000)
    assert ingest_wms_entity(lake, STOCK_SNAPSHOTS, settings.wms).inserted == 2
    version = demo.version(lake, STOCK_SNAPSHOTS)

    drops.write(path, first, mtime=1_774_100_000)  # the same export dropped again
    again = ingest_wms_entity(lake, STOCK_SNAPSHOTS, settings.wms)
    assert again.batches == [] and again.files_already_landed == ["stock/stock_WH-T_20260331.csv"]
    assert demo.version(lake, STOCK_SNAPSHOTS) == version and not path.exists()

    corrected = drops.csv_bytes(header, ["2026-03-31,WH-T,SKU-1,A-01,12,吨", "2026-03-31,WH-T,SKU-2,A-02,5,吨",
                                         "2026-03-31,WH-T,SKU-3,A-03,1,吨"])
    drops.write(path, corrected, mtime=1_774_200_000)  # same name, new content: a correction
    report = ingest_wms_entity(lake, STOCK_SNAPSHOTS, settings.wms)
    assert (report.inserted, report.updated, report.batches[0].unchanged) == (1, 2, 0)
    stock = {r["sku"]: r for r in demo.rows(lake, STOCK_SNAPSHOTS)}
    assert stock["SKU-1"]["quantity_on_hand"] == Decimal(12) and len(stock) == 3
    assert stock["SKU-1"]["dropped_at"] == dt.datetime.fromtimestamp(1_774_200_000, dt.UTC)
    archived = sorted(p.name for p in Path(settings.wms.archive_dir).rglob("*.csv"))
    assert len(archived) == 2 and all(a.startswith("stock_WH-T_20260331.") for a in archived)


def test_an_older_export_never_overwrites_a_newer_one(wms):
    settings, lake, landing = wms
    header = "snapshot_date,warehouse_code,sku,bin,quantity_on_hand,uom"
    drops.write(landing / "stock_new.csv", drops.csv_bytes(header, ["2026-03-31,WH-T,SKU-1,A-01,12,吨"]), mtime=2_000)
    ingest_wms_entity(lake, STOCK_SNAPSHOTS, settings.wms)
    drops.write(landing / "stock_old.csv", drops.csv_bytes(header, ["2026-03-31,WH-T,SKU-1,A-01,10,吨"]), mtime=1_000)
    report = ingest_wms_entity(lake, STOCK_SNAPSHOTS, settings.wms)
    assert (report.inserted, report.updated) == (0, 0)
    assert demo.rows(lake, STOCK_SNAPSHOTS)[0]["quantity_on_hand"] == Decimal(12)


def test_an_excel_drop_lands_like_a_csv(wms):
    settings, lake, landing = wms
    rows = [drops.MOVEMENT_HEADER.split(","),
            ["MV-X1", "WH-X", "SKU-1", "B-1", "issue", -4.25, "套", "sales_order", "SO-1",
             dt.datetime(2026, 3, 2, 8, 30), "李四"],
            ["MV-X2", "WH-X", "SKU-2", "B-2", "receipt", "N/A", "套", "goods_receipt", "GR-2",
             dt.datetime(2026, 3, 2, 9, 0), "李四"]]
    drops.write(landing / "movements" / "movements_WH-X_202603.xlsx", drops.xlsx_bytes(rows))
    report = ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    assert (report.inserted, report.quarantined) == (1, 1)
    row = demo.rows(lake, MOVEMENTS)[0]
    assert row["quantity"] == Decimal("-4.25") and row["moved_at"] == dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC)
    assert row["source_line"] == 2
    assert demo.quarantine(lake)[0]["reason"].startswith("column 'quantity': cannot cast 'N/A'")


def test_unrecognised_files_stay_in_the_landing_folder_and_are_reported(wms):
    settings, lake, landing = wms
    drops.write(landing / "inventory_report.csv", b"a,b\n1,2\n")
    drops.write(landing / "movements_Z.xls", b"old excel")
    drops.write(landing / "movements_Z.csv.part", b"still being written")
    report = ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    assert sorted(report.files_not_recognised) == ["inventory_report.csv", "movements_Z.xls"]
    assert report.as_metadata()["files_not_recognised"] == 2
    assert (landing / "inventory_report.csv").exists() and (landing / "movements_Z.csv.part").exists()


def test_crash_between_commit_and_archive_is_completed_without_duplicates(wms, monkeypatch):
    from pipelines.sources.shared import filebatch

    settings, lake, landing = wms
    drops.write(landing / "movements_A.csv", drops.csv_bytes(drops.MOVEMENT_HEADER, [drops.movement_line(1)]))
    drops.write(landing / "movements_B.csv", drops.csv_bytes(drops.MOVEMENT_HEADER,
                                                             [drops.movement_line(2), drops.movement_line(1, "N/A")]))

    class Crash(Exception):
        pass

    def crash(*_args, **_kwargs):
        raise Crash

    monkeypatch.setattr(filebatch.FileLedger, "record", crash)  # dies after the Delta commits
    with pytest.raises(Crash):
        ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    monkeypatch.undo()
    version = demo.version(lake, MOVEMENTS)
    report = ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    assert report.batches[0].skipped_retry and report.quarantined == 0  # both commits recognised
    assert demo.version(lake, MOVEMENTS) == version
    assert [r["movement_id"] for r in demo.rows(lake, MOVEMENTS)] == ["MV-T00001", "MV-T00002"]
    assert len(demo.quarantine(lake)) == 1
    assert sorted(p.name.split(".")[0] for p in Path(settings.wms.archive_dir).rglob("*.csv")) == [
        "movements_A", "movements_B"]


def test_crash_between_ledger_and_archive_only_archives(wms, monkeypatch):
    from pipelines.sources.shared.folder import DropFolder

    settings, lake, landing = wms
    drops.write(landing / "movements_A.csv", drops.csv_bytes(drops.MOVEMENT_HEADER, [drops.movement_line(1)]))
    monkeypatch.setattr(DropFolder, "move_to", lambda *a, **k: (_ for _ in ()).throw(OSError("disk")))
    with pytest.raises(OSError):
        ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    monkeypatch.undo()
    report = ingest_wms_entity(lake, MOVEMENTS, settings.wms)
    assert report.batches == [] and report.files_already_landed == ["movements_A.csv"]
    assert not (landing / "movements_A.csv").exists()


def test_arrow_csv_reader_gives_the_same_batches_as_the_line_by_line_reader(tmp_path_factory, tmp_path):
    from pipelines.sources.shared.folder import DropFolder
    from pipelines.sources.wms.parse import parse_export, read_clean_csv
    from pipelines.sources.wms.specs import entity_of

    home = demo.demo_home(tmp_path_factory)
    folder = DropFolder(demo.make_settings(home).wms.landing_dir)
    extra = tmp_path / "extra"
    drops.write(extra / "movements_Q.csv", drops.csv_bytes(drops.MOVEMENT_HEADER, [
        drops.movement_line(1), drops.movement_line(2, quantity=""), drops.movement_line(3, operator=" 空格 ")]))
    drops.write(extra / "movements_R.csv", drops.csv_bytes(drops.MOVEMENT_HEADER.replace("bin", "slot"),
                                                           [drops.movement_line(4)]))
    plain = 0
    for source in (folder, DropFolder(str(extra))):
        for f in source.list():
            spec = MOVEMENTS if entity_of(f) == "movements" else STOCK_SNAPSHOTS
            data = source.read(f)
            fast, slow = parse_export(f, data, spec), parse_export(f, data, spec, fast=False)
            assert fast.table.equals(slow.table), f.relative
            assert dict(fast.row_errors) == dict(slow.row_errors), f.relative
            plain += read_clean_csv(data) is not None
    assert plain > 40
