"""IoT drops: JSON Lines files per kind per day, and MQTT publishing (QoS 1).

Layout under ``settings.iot.landing_dir``::

    <kind>/<kind>_<YYYY-MM-DD>.jsonl      kind ∈ gps, rfid, agv, temperature (UTC day of recorded_at)

One JSON object per line, UTF-8, keys in a fixed order, timestamps ISO-8601 UTC with ``Z``.
A small share of events appears twice (same ``event_id``, a few lines later), as QoS-1
redelivery does; the duplicates are listed in the ground truth. MQTT topics are
``grouplake/iot/<kind>/<device_id>`` with the same JSON as payload.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from demo.timebase import DAY, date_strings, iso_strings

EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "gps": ("event_id", "kind", "device_id", "shipment_id", "recorded_at", "lat", "lon", "speed_kmh", "heading_deg"),
    "rfid": ("event_id", "kind", "device_id", "warehouse_code", "gate", "tag_id", "sku", "direction", "quantity",
             "recorded_at"),
    "agv": ("event_id", "kind", "device_id", "warehouse_code", "task_id", "task_type", "from_location", "to_location",
            "sku", "started_at", "recorded_at", "status", "battery_pct"),
    "temperature": ("event_id", "kind", "device_id", "warehouse_code", "recorded_at", "temperature_c", "humidity_pct"),
}
_TIME_FIELDS = ("recorded_at", "started_at")
TOPIC_PREFIX = "grouplake/iot"


def _tokens(values: list) -> list[str]:
    """JSON text of each value (strings cached: ids and codes repeat a lot)."""
    cache: dict[str, str] = {}
    out = []
    for v in values:
        kind = type(v)
        if kind is str:
            token = cache.get(v)
            if token is None:
                token = cache[v] = json.dumps(v, ensure_ascii=False)
        elif kind is float and math.isfinite(v):
            token = float.__repr__(v)  # what json.dumps writes for a finite float
        elif kind is int:
            token = int.__repr__(v)
        else:
            token = json.dumps(v)
        out.append(token)
    return out


def _json_lines(kind: str, frame: pd.DataFrame) -> list[str]:
    """One JSON object per event, keys in :data:`EVENT_FIELDS` order (same text as ``json.dumps``)."""
    fields = EVENT_FIELDS[kind]
    columns = []
    for f in fields:
        if f in _TIME_FIELDS:
            values = [t.replace(" ", "T") + "Z" for t in iso_strings(frame[f].to_numpy(dtype=float), micros=False)]
        else:
            values = frame[f].tolist()
        prefix = ("{" if not columns else ",") + json.dumps(f) + ":"
        columns.append([prefix + t for t in _tokens(values)])
    return ["".join(parts) + "}\n" for parts in zip(*columns, strict=True)]


def write_iot(landing: Path, frames: dict[str, pd.DataFrame], rng: np.random.Generator,
              duplicate_rate: float) -> tuple[list[str], list[tuple], int]:
    """Write the events of each kind into day files; returns (paths, duplicate truth, events written)."""
    written: list[str] = []
    duplicates: list[tuple] = []
    total = 0
    for kind in sorted(frames):
        frame = frames[kind]
        if frame.empty:
            continue
        frame = frame.sort_values(["recorded_at", "event_id"], kind="stable")
        day = np.floor(frame["recorded_at"].to_numpy(dtype=float) / DAY)
        bounds = np.flatnonzero(np.r_[True, day[1:] != day[:-1], True])
        ids = frame["event_id"].to_numpy()
        for a, b in itertools.pairwise(bounds):
            chunk = _json_lines(kind, frame.iloc[a:b])
            dup = np.flatnonzero(rng.random(b - a) < duplicate_rate)
            out: list[str] = []
            later: dict[int, list[str]] = {}
            for i in dup:
                later.setdefault(min(int(i) + int(rng.integers(1, 21)), len(chunk) - 1), []).append(chunk[i])
            for i, line in enumerate(chunk):
                out.append(line)
                out.extend(later.get(i, []))
            rel = f"{kind}/{kind}_{date_strings(np.array([day[a]]))[0]}.jsonl"
            path = landing / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(out), encoding="utf-8")
            written.append(rel)
            duplicates += [(ids[a + i], kind, rel) for i in dup]
            total += len(out)
    return written, duplicates, total


def read_events(landing: Path, paths: Iterable[str]) -> Iterable[dict]:
    """The events of the given JSONL files, in file order (duplicates included)."""
    for rel in paths:
        with (landing / rel).open(encoding="utf-8") as fh:
            for line in fh:
                yield json.loads(line)


def publish_iot_events(mqtt_url: str, events: Iterable[dict], *, client_id: str = "grouplake-demo-publisher",
                       qos: int = 1, username: str | None = None, password: str | None = None,
                       timeout_s: float = 60.0) -> int:
    """Publish events to ``grouplake/iot/<kind>/<device_id>`` with paho-mqtt.

    Args:
        mqtt_url: ``mqtt://host:port`` (user and password may be in the URL).
        events: dicts with at least ``kind`` and ``device_id``; the payload is the JSON of the dict.
        client_id: MQTT client id.
        qos: 1 by default (at-least-once, so consumers must de-duplicate by ``event_id``).
        username: overrides the URL's user.
        password: overrides the URL's password.
        timeout_s: how long to wait for the broker to acknowledge everything.

    Returns:
        The number of messages published.

    Raises:
        ConnectionError: the broker is unreachable or did not acknowledge in time.

    Example:
        >>> publish_iot_events("mqtt://127.0.0.1:1883", [{"kind": "gps", "device_id": "GPS-1"}])  # doctest: +SKIP
        1
    """
    import paho.mqtt.client as mqtt

    url = urlparse(mqtt_url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    user = username or url.username
    if user:
        client.username_pw_set(user, password or url.password)
    client.max_inflight_messages_set(200)
    try:
        client.connect(url.hostname or "127.0.0.1", url.port or 1883, keepalive=30)
    except OSError as exc:
        raise ConnectionError(f"cannot reach MQTT broker at {mqtt_url}: {exc}") from exc
    client.loop_start()
    infos = []
    try:
        for event in events:
            topic = f"{TOPIC_PREFIX}/{event['kind']}/{event['device_id']}"
            payload = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            infos.append(client.publish(topic, payload, qos=qos))
        for info in infos:
            info.wait_for_publish(timeout=timeout_s)
            if not info.is_published():
                raise ConnectionError(f"MQTT broker at {mqtt_url} did not acknowledge message {info.mid}")
    finally:
        client.loop_stop()
        client.disconnect()
    return len(infos)
