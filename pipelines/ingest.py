"""The ingest loop every source shares: extract → validate → quarantine → merge → watermark.

A connector only knows how to pull raw Arrow batches from its system (an
:class:`Extractor`); this module gives every source the same exactness:

1. the batch gets a deterministic id from (source, entity, watermark range);
2. it is validated against the entity's declared schema — bad rows go to
   ``bronze.quarantine`` with their reasons, the good rows go on;
3. the good rows merge into ``<lake>/bronze/<source>/<entity>`` under the batch's Delta
   transaction id (a retry is a no-op; nothing changed → no new version);
4. only then does the watermark move.

A crash anywhere leaves either the old state or a state that the re-run completes without
duplicates.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa

from lake.batch import make_batch_id
from lake.quarantine import quarantine_rows
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.validate import validate_batch
from lake.watermarks import read_watermark, write_watermark
from lake.writer import merge_batch


@dataclass
class RawBatch:
    """A batch as a connector extracted it.

    Attributes:
        table: raw rows (column types may be loose; validation casts them).
        low: the watermark the batch starts after (``None`` on a first run).
        high: the watermark after the batch's last row (JSON-serialisable).
        row_errors: problems the connector found per row position (e.g. bad encoding).
        origin: where the rows came from (file name, page cursor) for the quarantine table.
    """

    table: pa.Table
    low: Any
    high: Any
    row_errors: Mapping[int, str] = field(default_factory=dict)
    origin: str | None = None


class Extractor(Protocol):
    """What a watermark-driven connector implements."""

    def extract(self, spec: EntitySpec, since: Any | None) -> Iterator[RawBatch]:
        """Yield raw batches of rows changed after watermark ``since``, oldest first."""
        ...


@dataclass
class BatchReport:
    """What landing one batch did."""

    batch_id: str
    extracted: int
    inserted: int
    updated: int
    unchanged: int
    quarantined: int
    version: int | None
    skipped_retry: bool


@dataclass
class IngestReport:
    """What one ingest run of one entity did."""

    entity: str
    batches: list[BatchReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def extracted(self) -> int:
        return sum(b.extracted for b in self.batches)

    @property
    def inserted(self) -> int:
        return sum(b.inserted for b in self.batches)

    @property
    def updated(self) -> int:
        return sum(b.updated for b in self.batches)

    @property
    def quarantined(self) -> int:
        return sum(b.quarantined for b in self.batches)

    @property
    def versions(self) -> list[int]:
        return [b.version for b in self.batches if b.version is not None]

    def as_metadata(self) -> dict[str, Any]:
        """A flat summary for Dagster metadata and the CLI."""
        return {
            "rows_extracted": self.extracted,
            "rows_inserted": self.inserted,
            "rows_updated": self.updated,
            "rows_quarantined": self.quarantined,
            "batches": len(self.batches),
            "delta_versions": self.versions,
            "seconds": round(self.seconds, 3),
        }


def land_batch(
    storage: LakeStorage,
    spec: EntitySpec,
    raw: RawBatch,
    batch_id: str,
    ingested_at: dt.datetime | None = None,
) -> BatchReport:
    """Validate, quarantine and merge one raw batch (no watermark handling).

    File-driven connectors call this directly with a batch id derived from the file's
    content; watermark-driven ones go through :func:`ingest_entity`.
    """
    result = validate_batch(raw.table, spec, raw.row_errors)
    quarantined = quarantine_rows(
        storage, spec.source, spec.entity, batch_id, result, origin=raw.origin
    )
    written = merge_batch(storage, spec, result.good, batch_id, ingested_at=ingested_at)
    return BatchReport(
        batch_id=batch_id,
        extracted=raw.table.num_rows,
        inserted=written.inserted,
        updated=written.updated,
        unchanged=written.unchanged,
        quarantined=quarantined,
        version=written.version,
        skipped_retry=written.skipped_retry,
    )


def ingest_entity(
    storage: LakeStorage,
    spec: EntitySpec,
    extractor: Extractor,
    *,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> IngestReport:
    """Bring ``spec``'s table up to date with its source, batch by batch.

    Args:
        storage: the lake.
        spec: the entity to ingest.
        extractor: the connector's extractor.
        on_batch: called after every landed batch (progress reporting).

    Returns:
        An :class:`IngestReport` (a run with nothing new has no batches and no versions).
    """
    started = time.perf_counter()
    report = IngestReport(entity=spec.name)
    since = read_watermark(storage, spec.source, spec.entity)
    for raw in extractor.extract(spec, since):
        batch_id = make_batch_id(spec.source, spec.entity, raw.low, raw.high)
        batch = land_batch(storage, spec, raw, batch_id)
        write_watermark(storage, spec.source, spec.entity, raw.high, batch_id)
        report.batches.append(batch)
        if on_batch is not None:
            on_batch(batch)
    report.seconds = time.perf_counter() - started
    return report
