"""Land the WMS exports waiting in the landing folder, entity by entity.

Example:
    >>> from infra.settings import get_settings
    >>> report = ingest_wms_entity(LakeStorage.from_settings(get_settings()), MOVEMENTS,
    ...                            get_settings().wms)  # doctest: +SKIP
    >>> report.as_metadata()["rows_quarantined"]  # doctest: +SKIP
    3
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from pipelines.ingest import BatchReport
from pipelines.sources.shared.filebatch import FileIngestReport, ingest_files
from pipelines.sources.shared.folder import DropFile, DropFolder
from pipelines.sources.wms.parse import parse_export
from pipelines.sources.wms.specs import entity_of


def ingest_wms_entity(
    storage: LakeStorage,
    spec: EntitySpec,
    wms_settings: Any,
    *,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> FileIngestReport:
    """Land every new export of ``spec`` from ``wms_settings.landing_dir``, then archive it.

    Args:
        storage: the lake.
        spec: :data:`~pipelines.sources.wms.specs.MOVEMENTS` or ``STOCK_SNAPSHOTS``.
        wms_settings: ``settings.wms`` (``landing_dir``, ``archive_dir``, ``batch_rows``).
        on_batch: called after each landed group of files.

    Returns:
        A :class:`~pipelines.sources.shared.filebatch.FileIngestReport`; files whose name
        matches no entity are left in the landing folder and listed as not recognised.
    """
    landing = DropFolder(wms_settings.landing_dir)
    archive = DropFolder(wms_settings.archive_dir)

    def parse(f: DropFile, data: bytes, _sha: str):
        return parse_export(f, data, spec)

    def mine(f: DropFile) -> bool:
        return entity_of(f) == spec.entity

    report = ingest_files(
        storage, spec, landing, archive, parse,
        select=mine,
        max_rows=getattr(wms_settings, "batch_rows", 200_000),
        on_batch=on_batch,
    )
    # files of the other WMS entity are skipped, not "unrecognised"
    report.files_not_recognised = unrecognised_files(wms_settings)
    return report


def unrecognised_files(wms_settings: Any) -> list[str]:
    """Files in the landing folder that no WMS entity reads (name or extension unknown).

    They stay where they are (never silently dropped) and are reported by every run.
    """
    return [f.relative for f in DropFolder(wms_settings.landing_dir).list() if entity_of(f) is None]
