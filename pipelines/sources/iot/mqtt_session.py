"""A persistent MQTT v5 session that hands messages over and acknowledges them on request.

What makes MQTT ingestion lossless here:

- **persistent session**: a fixed client id, ``clean_start=False`` and a session expiry
  interval, so the broker keeps the subscription and queues QoS 1 messages while the
  consumer is away (between runs, or after a crash);
- **QoS 1 subscription** and **manual acknowledgement** (paho 2 ``manual_ack=True``): a
  message is acknowledged only when :meth:`MqttSession.ack` is called, which the ingest does
  after the Delta commit of the micro-batch holding it. Unacknowledged messages are
  redelivered on the next connection;
- **receive maximum** = the micro-batch size (MQTT v5), so the broker may have a whole
  batch in flight unacknowledged (MQTT 3.1.1 brokers cap this at their own in-flight limit,
  20 for Mosquitto, which would stall batches).

The broker must be configured to keep enough queued messages for a consumer that is away
(Mosquitto ``max_queued_messages``, 1000 by default, drops the excess).
"""

from __future__ import annotations

import queue
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import unquote, urlparse

from lake.spec import EntitySpec

_CONNECT_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class MqttConfig:
    """Where and how one event kind is consumed.

    Attributes:
        host, port, tls: the broker (``mqtt://`` or ``mqtts://`` URL).
        username, password: credentials (settings override the URL's).
        client_id: the persistent session's client id (one per kind).
        topics: topic filters of this kind.
        session_expiry_s: how long the broker keeps the session while disconnected.
        keepalive_s: MQTT keep-alive.
        batch_max_events, batch_max_seconds: when a micro-batch closes.
        idle_s: a run stops when nothing arrived for this long.
        max_run_s: a run stops after this long.
    """

    host: str
    port: int
    client_id: str
    topics: tuple[str, ...]
    username: str | None = None
    password: str | None = None
    tls: bool = False
    session_expiry_s: int = 7 * 24 * 3600
    keepalive_s: int = 30
    batch_max_events: int = 50_000
    batch_max_seconds: float = 5.0
    idle_s: float = 2.0
    max_run_s: float = 300.0

    @classmethod
    def from_settings(cls, iot_settings, spec: EntitySpec) -> MqttConfig:
        """The consumer of ``spec``'s kind, from ``settings.iot``.

        The session's client id is ``<settings client_id>-<kind>`` and its topic filters are
        the configured ones narrowed to the kind (see :func:`kind_topics`).
        """
        url = urlparse(iot_settings.mqtt_url)
        if url.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"IOT__MQTT_URL must be mqtt://host:port or mqtts://host:port, not {iot_settings.mqtt_url!r}")
        tls = url.scheme in ("mqtts", "ssl")
        password = iot_settings.password.get_secret_value() if iot_settings.password else None
        return cls(
            host=url.hostname or "127.0.0.1",
            port=url.port or (8883 if tls else 1883),
            client_id=f"{iot_settings.client_id}-{spec.entity}",
            topics=tuple(kind_topics(iot_settings.topics, spec.entity)),
            username=iot_settings.username or (unquote(url.username) if url.username else None),
            password=password or (unquote(url.password) if url.password else None),
            tls=tls,
            session_expiry_s=iot_settings.session_expiry_s,
            keepalive_s=iot_settings.keepalive_s,
            batch_max_events=iot_settings.batch_max_events,
            batch_max_seconds=iot_settings.batch_max_seconds,
            idle_s=iot_settings.idle_s,
            max_run_s=iot_settings.max_run_s,
        )


def kind_topics(topics: list[str] | tuple[str, ...], kind: str) -> list[str]:
    """Narrow configured topic filters to one event kind.

    ``{kind}`` in a filter is replaced by the kind; a filter ending in ``/#`` gets the kind
    as its next level (``grouplake/iot/#`` → ``grouplake/iot/gps/#``), matching the
    publishers' ``<prefix>/<kind>/<device_id>`` layout.

    Example:
        >>> kind_topics(["grouplake/iot/#", "site/{kind}/+"], "gps")
        ['grouplake/iot/gps/#', 'site/gps/+']
    """
    out = []
    for topic in topics:
        if "{kind}" in topic:
            out.append(topic.replace("{kind}", kind))
        elif topic == "#":
            out.append(f"{kind}/#")
        elif topic.endswith("/#"):
            out.append(f"{topic[:-1]}{kind}/#")
        else:
            raise ValueError(
                f"IoT topic filter {topic!r} must end in '/#' or contain '{{kind}}' so each event kind "
                "has its own session"
            )
    return out


@dataclass(frozen=True)
class Message:
    """One received message (not acknowledged yet)."""

    mid: int
    qos: int
    topic: str
    payload: bytes
    dup: bool = False


@dataclass
class _Events:
    connected: threading.Event = field(default_factory=threading.Event)
    subscribed: threading.Event = field(default_factory=threading.Event)
    lost: threading.Event = field(default_factory=threading.Event)
    error: str | None = None


class MqttSession:
    """A connected persistent session (use as a context manager).

    Example:
        >>> with MqttSession(config) as session:  # doctest: +SKIP
        ...     batch = session.next_batch()
        ...     ...  # commit the batch to Delta
        ...     session.ack(batch)
    """

    def __init__(self, config: MqttConfig) -> None:
        self.config = config
        self.messages: queue.Queue[Message] = queue.Queue()
        self._events = _Events()
        self._client = None

    # -- connection -------------------------------------------------------------------

    def __enter__(self) -> Self:
        import paho.mqtt.client as mqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties
        from paho.mqtt.subscribeoptions import SubscribeOptions

        c = self.config
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=c.client_id, protocol=mqtt.MQTTv5,
            manual_ack=True, reconnect_on_failure=False,
        )
        if c.username:
            client.username_pw_set(c.username, c.password)
        if c.tls:
            client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        events = self._events

        def on_connect(cl, _userdata, _flags, reason_code, _properties) -> None:
            if reason_code.is_failure:
                events.error = f"broker refused the connection: {reason_code}"
                events.connected.set()
                return
            cl.subscribe([(t, SubscribeOptions(qos=1)) for t in c.topics])
            events.connected.set()

        def on_subscribe(_cl, _userdata, _mid, reason_codes, _properties) -> None:
            refused = [str(rc) for rc in reason_codes if rc.is_failure or rc.value < 1]
            if refused:
                events.error = f"subscription to {list(c.topics)} not granted at QoS 1: {refused}"
            events.subscribed.set()

        def on_message(_cl, _userdata, msg) -> None:
            self.messages.put(Message(msg.mid, msg.qos, msg.topic, bytes(msg.payload), bool(msg.dup)))

        def on_disconnect(_cl, _userdata, _flags, reason_code, _properties) -> None:
            events.lost.set()

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        client.on_disconnect = on_disconnect
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = int(c.session_expiry_s)
        props.ReceiveMaximum = max(1, min(65535, int(c.batch_max_events)))
        try:
            client.connect(c.host, c.port, keepalive=c.keepalive_s, clean_start=False, properties=props)
        except OSError as exc:
            raise ConnectionError(f"cannot reach the MQTT broker at {c.host}:{c.port}: {exc}") from exc
        client.loop_start()
        self._client = client
        ok = events.connected.wait(_CONNECT_TIMEOUT_S) and (events.error is not None or events.subscribed.wait(_CONNECT_TIMEOUT_S))
        if not ok or events.error is not None:
            self.__exit__(None, None, None)
            raise ConnectionError(events.error or f"no answer from the MQTT broker at {c.host}:{c.port}")
        return self

    def __exit__(self, *_exc: object) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.disconnect()
        finally:
            client.loop_stop()

    @property
    def connection_lost(self) -> bool:
        return self._events.lost.is_set()

    # -- messages ---------------------------------------------------------------------

    def next_batch(self, *, deadline: float | None = None) -> list[Message]:
        """Wait for the next micro-batch: it closes at ``batch_max_events`` messages,
        ``batch_max_seconds`` after its first message, or when nothing came for ``idle_s``.

        Args:
            deadline: a ``time.monotonic()`` after which no more waiting happens.

        Returns:
            The messages (empty when nothing arrived within ``idle_s``).
        """
        c = self.config
        batch: list[Message] = []
        closes_at: float | None = None
        while len(batch) < c.batch_max_events:
            now = time.monotonic()
            wait = c.idle_s if closes_at is None else min(c.idle_s, closes_at - now)
            if deadline is not None:
                wait = min(wait, deadline - now)
            if wait <= 0:
                break
            try:
                message = self.messages.get(timeout=wait)
            except queue.Empty:
                break
            if closes_at is None:
                closes_at = time.monotonic() + c.batch_max_seconds
            batch.append(message)
        return batch

    def ack(self, messages: list[Message]) -> None:
        """Acknowledge messages (after their batch committed): the broker forgets them.

        Raises:
            ConnectionError: the connection was lost since they arrived; they will be
                redelivered and merge as no-ops.
        """
        if self._client is None or self.connection_lost:
            raise ConnectionError("the MQTT connection was lost before the batch could be acknowledged")
        for message in messages:
            if message.qos > 0:
                self._client.ack(message.mid, message.qos)


def drop_session(config: MqttConfig) -> None:
    """Ask the broker to forget a persistent session and its queue (tests, decommissioning)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=config.client_id, protocol=mqtt.MQTTv5)
    if config.username:
        client.username_pw_set(config.username, config.password)
    done = threading.Event()
    client.on_connect = lambda *_args: done.set()
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    client.connect(config.host, config.port, keepalive=10, clean_start=True, properties=props)
    client.loop_start()
    try:
        done.wait(_CONNECT_TIMEOUT_S)
    finally:
        client.disconnect()
        client.loop_stop()
