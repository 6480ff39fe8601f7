"""IoT over a real MQTT broker (Mosquitto): ack after commit, merge by event id, crash-safe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lake.storage import LakeStorage
from pipelines.sources.iot.mqtt_ingest import consume_kind, ensure_session
from pipelines.sources.iot.mqtt_session import MqttConfig, kind_topics
from pipelines.sources.iot.specs import IOT_SPECS
from tests.pipelines.sources import iot_mqtt_helpers as mq
from tests.pipelines.sources import source_demo as demo

REPO = Path(__file__).resolve().parents[3]


def test_topic_filters_are_narrowed_to_one_kind_per_session():
    assert kind_topics(["grouplake/iot/#"], "gps") == ["grouplake/iot/gps/#"]
    assert kind_topics(["#", "plant/{kind}/+/data"], "agv") == ["agv/#", "plant/agv/+/data"]
    with pytest.raises(ValueError, match="must end in"):
        kind_topics(["grouplake/iot/+"], "gps")
    settings = demo.make_settings(Path("/tmp/x"), iot={"mqtt_url": "mqtt://u:p%40ss@broker:1884", "client_id": "lake"})
    config = MqttConfig.from_settings(settings.iot, IOT_SPECS["rfid"])
    assert (config.host, config.port, config.username, config.password) == ("broker", 1884, "u", "p@ss")
    assert config.client_id == "lake-rfid" and config.topics == ("grouplake/iot/rfid/#",)


@pytest.fixture
def isolated(mqtt_url, tmp_path):
    env = mq.isolated_env(mqtt_url, tmp_path / "home")
    settings = mq.settings_from(env)
    for config in mq.configs(settings):
        ensure_session(config)  # the persistent sessions exist before anything is published
    yield env, settings
    mq.forget_sessions(settings)


def _published(settings, n: int, duplicates: int) -> dict[str, set[str]]:
    """Publish n events per kind, re-publish ``duplicates`` of them (QoS-1 style) and one bad payload."""
    payloads, ids = [], {}
    for kind in mq.KINDS:
        evs = mq.events(n, kind)
        ids[kind] = {e["event_id"] for e in evs}
        payloads += [(kind, json.dumps(e).encode()) for e in evs]
        payloads += [(kind, json.dumps(e).encode()) for e in evs[:duplicates]]
    payloads.append(("temperature", b"{broken"))
    mq.publish(settings, payloads)
    return ids


@pytest.mark.mqtt
def test_consumer_lands_each_event_once_quarantines_bad_payloads_and_acks(isolated):
    _, settings = isolated
    ids = _published(settings, 60, duplicates=15)
    lake = LakeStorage.from_settings(settings)
    reports = {k: consume_kind(lake, IOT_SPECS[k], c) for k, c in zip(mq.KINDS, mq.configs(settings), strict=True)}
    for kind in mq.KINDS:
        landed = [r["event_id"] for r in demo.rows(lake, IOT_SPECS[kind])]
        assert landed == sorted(ids[kind]), kind
        assert len(reports[kind].batches) >= 3  # batch_max_events = 25
        assert all(b.extracted <= 25 for b in reports[kind].batches)
    quarantined = demo.quarantine(lake)
    assert [q["reason"].split(";")[0] for q in quarantined] == [
        "message on " + settings.iot.topics[0].removesuffix("#") + "temperature/dev is not valid JSON: "
        "Expecting property name enclosed in double quotes at column 2"]
    assert json.loads(quarantined[0]["raw_record"])["_raw_line"] == "{broken"
    # everything was acknowledged: the sessions have nothing left
    again = [consume_kind(lake, IOT_SPECS[k], c) for k, c in zip(mq.KINDS, mq.configs(settings), strict=True)]
    assert all(r.batches == [] for r in again)


def _child(env: dict[str, str], point: str, n: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.pipelines.sources.iot_consumer_child", point, str(n)],
        cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True, timeout=300, check=False,
    )


@pytest.mark.mqtt
@pytest.mark.slow
def test_killed_between_receipt_and_commit_or_commit_and_ack_then_restarted_lands_every_event_once(isolated):
    env, settings = isolated
    ids = _published(settings, 120, duplicates=40)
    first = _child(env, "before_commit", 3)  # two batches committed, the third received and lost
    assert first.returncode == 137, first.stderr
    second = _child(env, "before_ack", 2)  # one batch committed, the next committed but not acknowledged
    assert second.returncode == 137, second.stderr
    last = _child(env, "none", 0)
    assert last.returncode == 0, last.stderr
    lake = LakeStorage.from_settings(settings)
    for kind in mq.KINDS:
        landed = [r["event_id"] for r in demo.rows(lake, IOT_SPECS[kind])]
        assert landed == sorted(ids[kind]), kind  # every published event, exactly once
    assert len(demo.quarantine(lake)) == 1
    # before the first kill two batches were committed; the batch committed but never
    # acknowledged came back whole to the last consumer and was recognised as committed
    assert [json.loads(line)["kind"] for line in first.stdout.splitlines()] == ["temperature"] * 2
    batches = [json.loads(line) for line in last.stdout.splitlines()]
    assert batches[0] == {"kind": "temperature", "extracted": 25, "inserted": 0, "skipped_retry": True}
    again = [consume_kind(lake, IOT_SPECS[k], c) for k, c in zip(mq.KINDS, mq.configs(settings), strict=True)]
    assert all(r.batches == [] for r in again)


def test_micro_batches_close_on_size_on_time_and_when_idle():
    import threading
    import time

    from pipelines.sources.iot.mqtt_session import Message, MqttSession

    def message(i: int) -> Message:
        return Message(mid=i, qos=1, topic="t/temperature/d", payload=b"{}")

    config = MqttConfig(host="unused", port=1, client_id="c", topics=("t/temperature/#",), batch_max_events=4,
                        batch_max_seconds=0.3, idle_s=5.0)
    session = MqttSession(config)  # not connected: only its queue and batching are used
    for i in range(6):
        session.messages.put(message(i))
    assert [m.mid for m in session.next_batch()] == [0, 1, 2, 3]  # size
    late = threading.Timer(2.0, lambda: session.messages.put(message(6)))
    late.start()
    try:
        assert [m.mid for m in session.next_batch()] == [4, 5]  # time: closed 0.3 s after its first message
        assert [m.mid for m in session.next_batch()] == [6]
    finally:
        late.cancel()
    idle = MqttSession(MqttConfig(host="unused", port=1, client_id="c", topics=("t/#",), idle_s=0.2))
    assert idle.next_batch() == []  # nothing within idle_s: the run ends
    assert idle.next_batch(deadline=time.monotonic() - 1) == []
