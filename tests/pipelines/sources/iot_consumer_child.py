"""Run the MQTT consumer in a child process that dies at a chosen point (IoT crash tests).

Usage: python -m tests.pipelines.sources.iot_consumer_child POINT N   (settings from the environment)
POINT is ``before_commit`` (a micro-batch was received, its Delta commit not made),
``before_ack`` (committed, not acknowledged) or ``none``; the process dies at the Nth such
moment with ``os._exit(137)`` — no clean-up and no DISCONNECT, like SIGKILL. It prints one
JSON line per landed batch.
"""

from __future__ import annotations

import json
import os
import sys

from infra.settings import get_settings
from lake.storage import LakeStorage
from pipelines.sources.iot import mqtt_ingest
from pipelines.sources.iot.mqtt_session import MqttConfig, MqttSession
from pipelines.sources.iot.specs import IOT_SPECS
from tests.pipelines.sources.iot_mqtt_helpers import KINDS


def main(point: str, die_at: int) -> None:
    calls = {"n": 0}

    def dying(original):
        def wrapper(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == die_at:
                os._exit(137)
            return original(*args, **kwargs)

        return wrapper

    if point == "before_commit":
        mqtt_ingest.land_messages = dying(mqtt_ingest.land_messages)
    elif point == "before_ack":
        MqttSession.ack = dying(MqttSession.ack)
    settings = get_settings()
    lake = LakeStorage.from_settings(settings)
    for kind in KINDS:
        spec = IOT_SPECS[kind]

        def show(batch, kind=kind):
            print(json.dumps({"kind": kind, "extracted": batch.extracted, "inserted": batch.inserted,
                              "skipped_retry": batch.skipped_retry}), flush=True)

        mqtt_ingest.consume_kind(lake, spec, MqttConfig.from_settings(settings.iot, spec), on_batch=show)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
