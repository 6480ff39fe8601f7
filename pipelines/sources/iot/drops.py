"""IoT JSON Lines drops (the mode used when no MQTT broker is configured).

Layout under ``settings.iot.landing_dir``: ``<kind>/<kind>_<YYYY-MM-DD>.jsonl`` (any file
under ``<kind>/`` or named ``<kind>_*`` with a ``.jsonl``/``.ndjson`` extension). Each file is
landed once by content hash, several files per Delta commit (up to ``batch_max_events``
events), then archived; a duplicate event (same ``event_id``) lands once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from pipelines.ingest import BatchReport, RawBatch
from pipelines.sources.iot.parse import parse_jsonl
from pipelines.sources.shared.filebatch import FileIngestReport, ingest_files
from pipelines.sources.shared.folder import DropFile, DropFolder

SUFFIXES = (".jsonl", ".ndjson")


def kind_of(f: DropFile) -> str | None:
    """The event kind a drop file holds, from its folder or name (``None`` if unknown)."""
    from pipelines.sources.iot.specs import IOT_SPECS

    if f.suffix not in SUFFIXES:
        return None
    folder = f.relative.split("/", 1)[0] if "/" in f.relative else ""
    if folder in IOT_SPECS:
        return folder
    prefix = f.name.split("_", 1)[0]
    return prefix if prefix in IOT_SPECS else None


def ingest_iot_drops(
    storage: LakeStorage,
    spec: EntitySpec,
    iot_settings: Any,
    *,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> FileIngestReport:
    """Land every new JSONL drop of ``spec``'s kind, then archive it.

    Args:
        storage: the lake.
        spec: the kind's spec (:data:`pipelines.sources.iot.specs.IOT_SPECS`).
        iot_settings: ``settings.iot`` (``landing_dir``, ``archive_dir``, ``batch_max_events``).
        on_batch: called after each landed group of files.
    """

    def parse(f: DropFile, data: bytes, _sha: str) -> RawBatch:
        return parse_jsonl(data, spec, f.relative)

    report = ingest_files(
        storage, spec, DropFolder(iot_settings.landing_dir), DropFolder(iot_settings.archive_dir), parse,
        select=lambda f: kind_of(f) == spec.entity,
        suffixes=SUFFIXES,
        max_rows=iot_settings.batch_max_events,
        on_batch=on_batch,
    )
    report.files_not_recognised = [r for r in report.files_not_recognised if kind_of(_file(r)) is None]
    return report


def _file(relative: str) -> DropFile:
    import datetime as dt

    return DropFile(relative, 0, dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
