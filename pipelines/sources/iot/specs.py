"""Bronze specs of the IoT event kinds (GPS, RFID gate reads, AGV tasks, temperatures).

Each kind is one table of events identified by ``event_id``: events are immutable facts,
so there is no change column and the writer appends only events it has not stored (a
duplicate is a no-op). ``recorded_at`` is the event's own timestamp; the connector derives
``event_date`` (its UTC date) and the tables are partitioned by it.

The merge key is ``(event_id, event_date)``. An event's date is a function of the event
itself, so this identifies exactly the rows ``event_id`` alone does, and it tells the
writer that a key can only be stored in its own partition: a micro-batch compares itself
with the partitions of its days, not with years of telemetry.
"""

from __future__ import annotations

import pyarrow as pa

from lake.spec import EntitySpec

SOURCE = "iot"
_TS = pa.timestamp("us", tz="UTC")
_S = pa.string()

_COMMON_HEAD = [("event_id", _S), ("kind", _S), ("device_id", _S)]
_COMMON_TAIL = [("event_date", pa.date32())]

#: kind -> its payload columns besides event_id, kind, device_id (in the simulator's order).
KIND_COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "gps": [("shipment_id", _S), ("recorded_at", _TS), ("lat", pa.float64()), ("lon", pa.float64()),
            ("speed_kmh", pa.float64()), ("heading_deg", pa.float64())],
    "rfid": [("warehouse_code", _S), ("gate", _S), ("tag_id", _S), ("sku", _S), ("direction", _S),
             ("quantity", pa.decimal128(18, 4)), ("recorded_at", _TS)],
    "agv": [("warehouse_code", _S), ("task_id", _S), ("task_type", _S), ("from_location", _S),
            ("to_location", _S), ("sku", _S), ("started_at", _TS), ("recorded_at", _TS), ("status", _S),
            ("battery_pct", pa.int64())],
    "temperature": [("warehouse_code", _S), ("recorded_at", _TS), ("temperature_c", pa.float64()),
                    ("humidity_pct", pa.float64())],
}

_DESCRIPTIONS = {
    "gps": "GPS positions of tracked inbound trucks (one event per position fix).",
    "rfid": "RFID gate reads of pallets entering and leaving warehouses.",
    "agv": "AGV put-away and pick tasks, completed or failed.",
    "temperature": "Temperature and humidity readings in hazardous-goods warehouses.",
}


def _spec(kind: str) -> EntitySpec:
    fields = [pa.field(n, t) for n, t in (*_COMMON_HEAD, *KIND_COLUMNS[kind], *_COMMON_TAIL)]
    return EntitySpec(
        source=SOURCE,
        entity=kind,
        schema=pa.schema(fields),
        key=("event_id", "event_date"),
        change_column=None,
        required=("kind", "device_id", "recorded_at", "event_date"),
        partition_by=("event_date",),
        description=_DESCRIPTIONS[kind],
    )


IOT_SPECS: dict[str, EntitySpec] = {kind: _spec(kind) for kind in KIND_COLUMNS}


def iot_specs() -> list[EntitySpec]:
    """Every IoT event kind's spec."""
    return list(IOT_SPECS.values())


def payload_columns(spec: EntitySpec) -> list[str]:
    """The columns an event payload carries (the declared ones minus the derived ``event_date``)."""
    return [n for n in spec.schema.names if n != "event_date"]
