"""WMS CSV drops and IoT JSONL drops of the small demo group, against the ERP and the truth."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from demo.iot_io import EVENT_FIELDS
from demo.wms import MOVEMENT_COLUMNS
from demo.wms_files import STOCK_COLUMNS


@pytest.fixture(scope="module")
def wms_dir(demo_settings: object) -> Path:
    return Path(demo_settings.wms.landing_dir)


@pytest.fixture(scope="module")
def iot_dir(demo_settings: object) -> Path:
    return Path(demo_settings.iot.landing_dir)


@pytest.fixture(scope="module")
def wms_dirty(truth_dir: Path) -> pd.DataFrame:
    d = pd.read_csv(truth_dir / "dirty_rows.csv", dtype=str, keep_default_na=False)
    return d[d["system"] == "wms"]


@pytest.fixture(scope="module")
def movements(wms_dir: Path, wms_dirty: pd.DataFrame) -> pd.DataFrame:
    """Every movement row that parses (lines listed as dirty are skipped; odd headers are read by name)."""
    bad_lines = {(r.location, int(r.key)) for r in wms_dirty.itertuples() if r.kind != "wrong_columns"}
    rows = []
    for path in sorted((wms_dir / "movements").glob("*.csv")):
        rel = f"movements/{path.name}"
        lines = path.read_bytes().splitlines(keepends=True)
        header = next(csv.reader([lines[0].decode()]))
        for i, line in enumerate(lines[1:], start=2):
            if (rel, i) in bad_lines:
                continue
            row = dict(zip(header, next(csv.reader(io.StringIO(line.decode("utf-8")))), strict=True))
            row["quantity"] = row.pop("qty", row.get("quantity"))
            rows.append({c: row.get(c) for c in MOVEMENT_COLUMNS})
    frame = pd.DataFrame(rows, columns=MOVEMENT_COLUMNS)
    frame["quantity"] = frame["quantity"].astype(float)
    return frame


def test_file_layout_and_headers(wms_dir: Path, wms_dirty: pd.DataFrame, demo_manifest: object) -> None:
    movement_files = sorted((wms_dir / "movements").glob("movements_*_*_*.csv"))
    stock_files = sorted((wms_dir / "stock").glob("stock_*_*.csv"))
    assert len(movement_files) + len(stock_files) == demo_manifest.row_counts["wms.files"]
    assert 40 < len(movement_files) < 1000
    wrong = set(wms_dirty.loc[wms_dirty["kind"] == "wrong_columns", "location"])
    assert len(wrong) == 1
    for path in movement_files:
        header = path.read_bytes().split(b"\n", 1)[0].decode().split(",")
        assert (header == MOVEMENT_COLUMNS) == (f"movements/{path.name}" not in wrong)
    for path in stock_files:
        assert path.read_text(encoding="utf-8").split("\n", 1)[0].split(",") == STOCK_COLUMNS


def test_bad_rows_are_where_the_truth_says(wms_dir: Path, wms_dirty: pd.DataFrame) -> None:
    rows = wms_dirty[wms_dirty["kind"] != "wrong_columns"]
    assert len(rows) == 1
    for r in rows.itertuples():
        line = (wms_dir / r.location).read_bytes().splitlines()[int(r.key) - 1]
        if r.kind == "non_utf8":
            with pytest.raises(UnicodeDecodeError):
                line.decode("utf-8")
        elif r.kind == "truncated_row":
            assert len(line.decode().split(",")) == len(MOVEMENT_COLUMNS) - 3
        else:
            quantity = next(csv.reader([line.decode()]))[MOVEMENT_COLUMNS.index("quantity")]
            with pytest.raises(ValueError):
                float(quantity.replace("１", "x"))


def test_receipts_match_the_erp_except_documented_differences(movements: pd.DataFrame, demo_settings: object,
                                                              truth_dir: Path, wms_dirty: pd.DataFrame) -> None:
    diffs = pd.read_csv(truth_dir / "wms_receipt_differences.csv", dtype={"goods_receipt_id": str}, keep_default_na=False)
    assert set(diffs["kind"]) <= {"quantity_mismatch", "missing_in_wms", "date_shift", "extra_in_wms"}
    conn = sqlite3.connect(demo_settings.erp.database_url.removeprefix("sqlite:///"))
    conn.text_factory = bytes
    rows = conn.execute("SELECT gr.goods_receipt_id, gr.quantity, gr.received_at FROM goods_receipts gr JOIN "
                        "warehouses w USING (warehouse_id) WHERE w.has_wms = 1 AND typeof(gr.quantity) != 'text'").fetchall()
    conn.close()
    erp = {k.decode(): float(v) for k, v, _ in rows}
    # booked in the WMS up to an hour (or, shifted, three days) later: after the cutoff, so not dropped yet
    recent = {k.decode() for k, _, t in rows if t.decode() >= "2026-10-28"}
    receipts = movements[movements["reference_type"] == "goods_receipt"]
    by_gr = dict(zip(receipts["reference_id"], receipts["quantity"], strict=True))
    mismatched = set(diffs.loc[diffs["kind"] == "quantity_mismatch", "goods_receipt_id"])
    missing = set(diffs.loc[diffs["kind"] == "missing_in_wms", "goods_receipt_id"])
    skipped = len(wms_dirty)  # a dirty line may hide a receipt
    agree = [gr for gr in erp if gr in by_gr and abs(by_gr[gr] - erp[gr]) < 1e-6]
    disagree = [gr for gr in erp if gr in by_gr and abs(by_gr[gr] - erp[gr]) >= 1e-6]
    absent = [gr for gr in erp if gr not in by_gr]
    assert set(disagree) <= mismatched | {r for r in erp if erp[r] < 0}
    assert len(set(absent) - missing - recent) <= skipped
    assert len(agree) > 0.9 * len(erp)


def test_stock_never_negative(wms_dir: Path) -> None:
    for path in (wms_dir / "stock").glob("*.csv"):
        frame = pd.read_csv(path)
        assert (frame["quantity_on_hand"] > 0).all()


def _events(iot_dir: Path, kind: str) -> list[dict]:
    return [json.loads(line) for path in sorted((iot_dir / kind).glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


def test_iot_events_have_their_schema_and_duplicates_are_documented(iot_dir: Path, truth_dir: Path,
                                                                    demo_manifest: object) -> None:
    dup = pd.read_csv(truth_dir / "iot_duplicates.csv")
    seen: Counter[str] = Counter()
    total = 0
    for kind, fields in EVENT_FIELDS.items():
        events = _events(iot_dir, kind)
        assert events, kind
        assert all(tuple(e) == fields and e["kind"] == kind for e in events)
        seen.update(e["event_id"] for e in events)
        total += len(events)
    assert total == demo_manifest.row_counts["iot.lines"]
    twice = {k for k, v in seen.items() if v > 1}
    assert twice == set(dup["event_id"]) and all(v <= 2 for v in seen.values())


def test_gps_tracks_go_from_supplier_to_warehouse_in_time(iot_dir: Path, demo_settings: object) -> None:
    events = pd.DataFrame(_events(iot_dir, "gps")).drop_duplicates("event_id")
    conn = sqlite3.connect(demo_settings.erp.database_url.removeprefix("sqlite:///"))
    ships = pd.read_sql("SELECT s.shipment_id, s.shipped_at, s.delivered_at, s.origin_latitude, s.origin_longitude, "
                        "w.latitude, w.longitude FROM shipments s JOIN warehouses w "
                        "ON w.warehouse_id = s.destination_warehouse_id WHERE tracking_device_id IS NOT NULL", conn)
    conn.close()
    assert set(events["shipment_id"]) <= set(ships["shipment_id"])
    for sid, track in list(events.groupby("shipment_id"))[:20]:
        s = ships.set_index("shipment_id").loc[sid]
        track = track.sort_values("recorded_at")
        start, end = track.iloc[0], track.iloc[-1]
        assert abs(start["lat"] - s["origin_latitude"]) < 0.05 and abs(end["lat"] - s["latitude"]) < 0.5
        assert track["recorded_at"].iloc[0] >= s["shipped_at"].replace(" ", "T")[:19]
        assert track["recorded_at"].iloc[-1] <= s["delivered_at"].replace(" ", "T")[:19] + "Z"


@pytest.mark.mqtt
def test_publish_iot_events_over_mqtt(mqtt_url: str) -> None:
    import threading
    from urllib.parse import urlparse

    import paho.mqtt.client as mqtt

    from demo.iot_io import publish_iot_events

    events = [{"event_id": f"e-{i}", "kind": "temperature", "device_id": f"TMP-TEST-{i % 2}", "temperature_c": 20 + i}
              for i in range(5)]
    received: list[tuple[str, dict]] = []
    subscribed, done = threading.Event(), threading.Event()
    url = urlparse(mqtt_url)
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="grouplake-demo-test-sub")
    sub.on_connect = lambda c, *_: c.subscribe("grouplake/iot/temperature/+", qos=1)
    sub.on_subscribe = lambda *_: subscribed.set()

    def on_message(_client, _userdata, message) -> None:
        if message.topic.rsplit("/", 1)[-1].startswith("TMP-TEST-"):
            received.append((message.topic, json.loads(message.payload)))
        if len(received) == len(events):
            done.set()

    sub.on_message = on_message
    sub.connect(url.hostname, url.port or 1883)
    sub.loop_start()
    try:
        assert subscribed.wait(10)
        assert publish_iot_events(mqtt_url, events, client_id="grouplake-demo-test-pub") == 5
        assert done.wait(10)
    finally:
        sub.loop_stop()
        sub.disconnect()
    assert sorted(e["event_id"] for _, e in received) == [f"e-{i}" for i in range(5)]
    assert {t for t, _ in received} == {"grouplake/iot/temperature/TMP-TEST-0", "grouplake/iot/temperature/TMP-TEST-1"}
