"""MQTT micro-batches into the lake: receive, commit to Delta, then acknowledge.

The order is what makes it exact:

1. messages arrive on the persistent session (QoS 1) and are *not* acknowledged;
2. a micro-batch closes on size or time (``batch_max_events`` / ``batch_max_seconds``);
3. it is validated, its bad messages quarantined, its events merged by ``event_id`` into
   ``bronze/iot/<kind>`` (one Delta commit, under a batch id derived from the payloads);
4. only then are its messages acknowledged.

A crash before 4 leaves the messages unacknowledged: the broker redelivers them to the
restarted consumer and, merged by ``event_id``, the ones already committed change nothing.
A crash after 4 loses nothing either: the batch was committed. Hence every published event
lands exactly once.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from lake.batch import make_batch_id
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from pipelines.ingest import BatchReport, IngestReport, land_batch
from pipelines.sources.iot.mqtt_session import Message, MqttConfig, MqttSession
from pipelines.sources.iot.parse import events_to_batch
from pipelines.sources.shared.lock import entity_lock


def messages_batch_id(spec: EntitySpec, messages: list[Message]) -> str:
    """A batch id derived from the payloads (order-independent), so a redelivered batch has it too."""
    digest = hashlib.sha256()
    for h in sorted(hashlib.sha256(m.payload).digest() for m in messages):
        digest.update(h)
    return make_batch_id(spec.source, spec.entity, "mqtt", digest.hexdigest())


def land_messages(storage: LakeStorage, spec: EntitySpec, messages: list[Message], origin: str) -> BatchReport:
    """Validate, quarantine and merge one micro-batch (one Delta commit at most)."""
    raw = events_to_batch(((m.payload, f"message on {m.topic}") for m in messages), spec, origin)
    return land_batch(storage, spec, raw, messages_batch_id(spec, messages))


def consume_kind(
    storage: LakeStorage,
    spec: EntitySpec,
    config: MqttConfig,
    *,
    on_batch: Callable[[BatchReport], None] | None = None,
    max_batches: int | None = None,
) -> IngestReport:
    """Drain ``spec``'s kind from the broker in micro-batches until it is idle.

    The run stops when no message came for ``config.idle_s``, after ``config.max_run_s``, or
    after ``max_batches`` batches; the session (and anything not acknowledged) stays on the
    broker for the next run.

    Args:
        storage: the lake.
        spec: the event kind's spec.
        config: broker, session and batching (:meth:`MqttConfig.from_settings`).
        on_batch: called after each committed and acknowledged batch.
        max_batches: stop after this many batches.

    Returns:
        An :class:`~pipelines.ingest.IngestReport` (no batches when the broker had nothing).

    Raises:
        ConnectionError: the broker is unreachable or the connection dropped (transient).
    """
    started = time.perf_counter()
    report = IngestReport(entity=spec.name)
    deadline = time.monotonic() + config.max_run_s
    origin = "mqtt:" + ",".join(config.topics)
    with entity_lock(storage, spec.source, spec.entity), MqttSession(config) as session:
        while max_batches is None or len(report.batches) < max_batches:
            messages = session.next_batch(deadline=deadline)
            if not messages:
                break
            batch = land_messages(storage, spec, messages, origin)
            session.ack(messages)
            report.batches.append(batch)
            if on_batch is not None:
                on_batch(batch)
            if time.monotonic() >= deadline:
                break
    report.seconds = time.perf_counter() - started
    return report


def ensure_session(config: MqttConfig) -> None:
    """Create (or resume) the persistent session and its subscription without consuming.

    Messages published before a session exists are not kept by the broker; deployments call
    this (or run the consumer once) before publishers start.
    """
    with MqttSession(config):
        pass
