"""Land dropped files exactly once: parse, group, validate, quarantine, merge, record, archive.

A file-driven source (WMS exports, IoT JSONL drops) gives a ``parse`` function that turns
one file's bytes into a :class:`~pipelines.ingest.RawBatch`; :func:`ingest_files` does the
rest, for every new file of one entity:

1. the file's identity is the sha256 of its content: a content already in the
   :class:`~pipelines.sources.shared.ledger.FileLedger` is not landed again (it is only
   archived), while the same name with new content is a new file;
2. new files are grouped (in path order, up to ``max_rows`` rows / ``max_files`` files) so a
   few thousand small drops do not become a few thousand Delta commits; the group's batch
   id is derived from its contents' hashes, each file's bad rows are quarantined under the
   file's own batch id with the file name as origin;
3. the group's good rows merge under the group's batch id (a retry is a no-op, and rows
   merge by key so even a differently grouped retry inserts nothing twice);
4. only then is each file recorded in the ledger and moved to the archive.

A crash between any two steps is completed by the next run without a duplicate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from pipelines.ingest import BatchReport, IngestReport, RawBatch
from pipelines.lake.batch import make_batch_id
from pipelines.lake.quarantine import quarantine_rows
from pipelines.lake.spec import EntitySpec
from pipelines.lake.storage import LakeStorage
from pipelines.lake.validate import validate_batch
from pipelines.lake.writer import merge_batch
from pipelines.sources.shared.folder import DropFile, DropFolder, archive_name
from pipelines.sources.shared.ledger import FileLedger
from pipelines.sources.shared.lock import entity_lock


@dataclass
class ParsedFile:
    """One dropped file turned into a raw batch."""

    file: DropFile
    sha256: str
    raw: RawBatch


#: parse(file, content, sha256) -> RawBatch: how a source reads one of its files.
ParseFn = Callable[[DropFile, bytes, str], RawBatch]


@dataclass
class FileIngestReport(IngestReport):
    """What one run did to one file-driven entity (an :class:`IngestReport` plus file counts)."""

    files_landed: list[str] = field(default_factory=list)
    files_already_landed: list[str] = field(default_factory=list)
    files_not_recognised: list[str] = field(default_factory=list)

    def as_metadata(self) -> dict[str, Any]:
        return {
            **super().as_metadata(),
            "files_landed": len(self.files_landed),
            "files_already_landed": len(self.files_already_landed),
            "files_not_recognised": len(self.files_not_recognised),
        }


def content_hash(data: bytes) -> str:
    """sha256 of a file's bytes (its identity in the ledger)."""
    return hashlib.sha256(data).hexdigest()


def file_batch_id(source: str, entity: str, sha256: str) -> str:
    """Batch id of one file's quarantine commit (derived from its content)."""
    return make_batch_id(source, entity, "file", sha256)


def group_batch_id(source: str, entity: str, hashes: Iterable[str]) -> str:
    """Batch id of a group of files' data commit (derived from their contents)."""
    return make_batch_id(source, entity, "files", sorted(hashes))


def land_files(
    storage: LakeStorage,
    spec: EntitySpec,
    files: list[ParsedFile],
    ingested_at: dt.datetime | None = None,
) -> BatchReport:
    """Validate each file, quarantine its bad rows, merge the group's good rows in one commit.

    Args:
        storage: the lake.
        spec: the entity.
        files: parsed files (one group).
        ingested_at: the ingestion time stamped on new rows (default now).

    Returns:
        The group's :class:`~pipelines.ingest.BatchReport`.
    """
    batch_id = group_batch_id(spec.source, spec.entity, (f.sha256 for f in files))
    goods: list[pa.Table] = []
    quarantined = 0
    extracted = 0
    for parsed in files:
        result = validate_batch(parsed.raw.table, spec, parsed.raw.row_errors)
        quarantined += quarantine_rows(
            storage, spec.source, spec.entity, file_batch_id(spec.source, spec.entity, parsed.sha256),
            result, origin=parsed.raw.origin,
        )
        goods.append(result.good)
        extracted += parsed.raw.table.num_rows
    good = pa.concat_tables(goods) if goods else spec.schema.empty_table()
    written = merge_batch(storage, spec, good, batch_id, ingested_at=ingested_at)
    return BatchReport(
        batch_id=batch_id,
        extracted=extracted,
        inserted=written.inserted,
        updated=written.updated,
        unchanged=written.unchanged,
        quarantined=quarantined,
        version=written.version,
        skipped_retry=written.skipped_retry,
    )


def ingest_files(
    storage: LakeStorage,
    spec: EntitySpec,
    landing: DropFolder,
    archive: DropFolder,
    parse: ParseFn,
    *,
    select: Callable[[DropFile], bool],
    suffixes: Iterable[str] | None = None,
    max_rows: int = 200_000,
    max_files: int = 500,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> FileIngestReport:
    """Land every new file of ``spec`` found in ``landing``, then archive it.

    Args:
        storage: the lake (tables, quarantine, ledger).
        spec: the entity these files feed.
        landing: where files are dropped.
        archive: where landed files go (``<relative>.<sha12><suffix>``).
        parse: turns one file into a raw batch.
        select: whether a listed file belongs to this entity.
        suffixes: file extensions considered at all (others are left alone).
        max_rows: close a group once it holds this many rows.
        max_files: close a group once it holds this many files.
        on_batch: called after each landed group.

    Returns:
        A :class:`FileIngestReport` (no batches and no Delta version when nothing was new).
    """
    started = time.perf_counter()
    report = FileIngestReport(entity=spec.name)
    with entity_lock(storage, spec.source, spec.entity):
        ledger = FileLedger(storage, spec.source, spec.entity)
        landed = ledger.landed()
        group: list[ParsedFile] = []
        group_rows = 0
        in_group: set[str] = set()
        twins: list[tuple[str, str]] = []  # (relative, sha) of files whose content is in a pending group

        def flush() -> None:
            nonlocal group_rows
            if not group:
                return
            batch = land_files(storage, spec, group)
            for parsed in group:
                ledger.record(parsed.sha256, {
                    "file": parsed.file.relative,
                    "size": parsed.file.size,
                    "dropped_at": parsed.file.modified_at.isoformat(),
                    "batch_id": batch.batch_id,
                    "rows": parsed.raw.table.num_rows,
                    "landing": landing.root,
                })
                landed.add(parsed.sha256)
                landing.move_to(parsed.file.relative, archive, archive_name(parsed.file.relative, parsed.sha256))
                report.files_landed.append(parsed.file.relative)
            report.batches.append(batch)
            if on_batch is not None:
                on_batch(batch)
            group.clear()
            in_group.clear()
            group_rows = 0

        for f in landing.list(suffixes):
            if not select(f):
                report.files_not_recognised.append(f.relative)
                continue
            data = landing.read(f)
            sha = content_hash(data)
            if sha in landed:
                landing.move_to(f.relative, archive, archive_name(f.relative, sha))
                report.files_already_landed.append(f.relative)
                continue
            if sha in in_group:
                twins.append((f.relative, sha))
                continue
            parsed = ParsedFile(f, sha, parse(f, data, sha))
            del data
            group.append(parsed)
            in_group.add(sha)
            group_rows += parsed.raw.table.num_rows
            if group_rows >= max_rows or len(group) >= max_files:
                flush()
        flush()
        for relative, sha in twins:  # same content as a file landed above: archive only
            landing.move_to(relative, archive, archive_name(relative, sha))
            report.files_already_landed.append(relative)
    report.seconds = time.perf_counter() - started
    return report
