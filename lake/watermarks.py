"""Watermarks: how far each source entity has been ingested, kept in ``<lake>/_meta/``.

A watermark is written only after the batch it describes is committed, so a crash between
the two re-extracts a batch whose deterministic id makes its commit a no-op.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lake.storage import LakeStorage


def _path(source: str, entity: str) -> str:
    return f"_meta/watermarks/{source}/{entity}.json"


def read_watermark(storage: LakeStorage, source: str, entity: str) -> Any | None:
    """The committed watermark value of ``source.entity`` (``None`` before the first batch)."""
    payload = storage.read_json(_path(source, entity))
    return None if payload is None else payload.get("value")


def write_watermark(storage: LakeStorage, source: str, entity: str, value: Any, batch_id: str) -> None:
    """Record ``value`` as the watermark of ``source.entity`` after ``batch_id`` committed."""
    storage.write_json(
        _path(source, entity),
        {
            "source": source,
            "entity": entity,
            "value": value,
            "batch_id": batch_id,
            "written_at": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
