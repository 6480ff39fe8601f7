"""Helpers of the MQTT tests: an isolated topic prefix and client id per test, a publisher."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from infra.settings import Settings
from pipelines.sources.iot.mqtt_session import MqttConfig, drop_session
from pipelines.sources.iot.specs import IOT_SPECS
from tests.pipelines.sources.source_demo import make_settings

KINDS = ("temperature", "gps")


def isolated_env(mqtt_url: str, home: Path, batch_max_events: int = 25) -> dict[str, str]:
    """Environment of a consumer with its own topic prefix and client id (no cross-test traffic)."""
    tag = uuid.uuid4().hex[:10]
    return {
        "GROUPLAKE_HOME": str(home),
        "IOT__MQTT_URL": mqtt_url,
        "IOT__TOPICS": json.dumps([f"grouplake-test/{tag}/iot/#"]),
        "IOT__CLIENT_ID": f"grouplake-test-{tag}",
        "IOT__BATCH_MAX_EVENTS": str(batch_max_events),
        "IOT__BATCH_MAX_SECONDS": "2",
        "IOT__IDLE_S": "1.0",
        "IOT__MAX_RUN_S": "60",
    }


def settings_from(env: dict[str, str]) -> Settings:
    return make_settings(
        Path(env["GROUPLAKE_HOME"]),
        iot={
            "mqtt_url": env["IOT__MQTT_URL"], "topics": json.loads(env["IOT__TOPICS"]),
            "client_id": env["IOT__CLIENT_ID"], "batch_max_events": int(env["IOT__BATCH_MAX_EVENTS"]),
            "batch_max_seconds": float(env["IOT__BATCH_MAX_SECONDS"]), "idle_s": float(env["IOT__IDLE_S"]),
            "max_run_s": float(env["IOT__MAX_RUN_S"]),
        },
    )


def configs(settings: Settings, kinds: tuple[str, ...] = KINDS) -> list[MqttConfig]:
    return [MqttConfig.from_settings(settings.iot, IOT_SPECS[k]) for k in kinds]


def forget_sessions(settings: Settings, kinds: tuple[str, ...] = KINDS) -> None:
    for config in configs(settings, kinds):
        drop_session(config)


def events(n: int, kind: str) -> list[dict]:
    """``n`` distinct, deterministic events of ``kind`` over three days."""
    out = []
    for i in range(n):
        base = {"event_id": f"{kind}-ev-{i:04d}", "kind": kind, "device_id": f"{kind.upper()}-D{i % 3}",
                "recorded_at": f"2026-05-0{1 + i % 3}T{i % 24:02d}:{i % 60:02d}:00Z"}
        if kind == "temperature":
            base |= {"warehouse_code": "CHEM-T", "temperature_c": round(15 + i * 0.1, 2), "humidity_pct": 55.0}
        else:
            base |= {"shipment_id": f"SHP-{i // 10}", "lat": 30.0 + i / 1000, "lon": 110.0, "speed_kmh": 60.0,
                     "heading_deg": 90.0}
        out.append(base)
    return out


def publish(settings: Settings, payloads: list[tuple[str, bytes]]) -> None:
    """Publish (kind, payload) pairs at QoS 1 under the settings' topic prefix; wait for PUBACKs."""
    from urllib.parse import urlparse

    import paho.mqtt.client as mqtt

    url = urlparse(settings.iot.mqtt_url)
    prefix = settings.iot.topics[0].removesuffix("/#")
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{settings.iot.client_id}-publisher")
    client.max_inflight_messages_set(100)
    client.connect(url.hostname, url.port or 1883)
    client.loop_start()
    try:
        infos = [client.publish(f"{prefix}/{kind}/dev", payload, qos=1) for kind, payload in payloads]
        for info in infos:
            info.wait_for_publish(timeout=30)
            assert info.is_published()
    finally:
        client.loop_stop()
        client.disconnect()
