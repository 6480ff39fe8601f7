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
   merge by key so even a differently grouped retry inserts nothing twice); the files' bad
   rows go to quarantine in one commit that records each file's own transaction id;
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

import numpy as np
import pyarrow as pa

from lake.batch import make_batch_id
from lake.quarantine import quarantine_batches
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.validate import ValidationResult, validate_batch
from lake.writer import merge_batch
from pipelines.ingest import BatchReport, IngestReport, RawBatch
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


_ORIGIN = "__file_index"


def _combinable(files: list[ParsedFile], spec: EntitySpec) -> tuple[list[int], list[int]]:
    """Indices of files whose raw columns line up for one combined validation, and the others.

    A file lacking a declared column is validated alone (validation must name the missing
    column for that file); so is one whose column types differ from the group's majority.
    """
    declared = set(spec.schema.names)
    shapes: dict[tuple, list[int]] = {}
    alone: list[int] = []
    seen: list[tuple[pa.Schema, tuple | None]] = []  # files mostly share one schema: look at it once
    for index, parsed in enumerate(files):
        schema = parsed.raw.table.schema
        shape = next((known for other, known in seen if schema == other), False)
        if shape is False:
            shape = (
                tuple((f.name, f.type) for f in schema if f.name in declared and not pa.types.is_null(f.type))
                if declared <= set(schema.names) else None
            )
            seen.append((schema, shape))
        if shape is None:
            alone.append(index)
            continue
        shapes.setdefault(shape, []).append(index)
    if not shapes:
        return [], alone
    together = max(shapes.values(), key=len)
    alone += [i for group in shapes.values() if group is not together for i in group]
    return together, sorted(alone)


def _combined(files: list[ParsedFile]) -> tuple[pa.Table, dict[int, str]] | None:
    """The files' raw rows as one table (plus a file-index column) and their row errors."""
    tables = [parsed.raw.table for parsed in files]
    errors: dict[int, str] = {}
    offset = 0
    for parsed in files:
        errors.update({offset + pos: why for pos, why in parsed.raw.row_errors.items()})
        offset += parsed.raw.table.num_rows
    try:
        combined = pa.concat_tables(tables)  # the common case: one schema, nothing to promote
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        try:
            combined = pa.concat_tables(tables, promote_options="default")
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
    index = np.repeat(np.arange(len(files), dtype=np.int32), [t.num_rows for t in tables])
    return combined.append_column(_ORIGIN, pa.array(index, pa.int32())), errors


def _split_by_file(result: ValidationResult, files: list[ParsedFile]) -> list[ValidationResult]:
    """Per-file validation results (bad rows only, each with its file's own columns) of a
    combined validation."""
    empty = result.good.slice(0, 0)
    out = [ValidationResult(good=empty) for _ in files]
    if result.bad_table is not None:  # the bad rows are still Arrow: split them by file index
        bad, reasons, keys = result.bad_table, result.bad_reasons, result.bad_keys
        origins = bad.column(_ORIGIN).to_numpy()
        if np.any(np.diff(origins) < 0):  # pragma: no cover - validation keeps the rows' order
            order = np.argsort(origins, kind="stable")
            bad, origins = bad.take(pa.array(order)), origins[order]
            reasons, keys = [reasons[i] for i in order.tolist()], [keys[i] for i in order.tolist()]
        # each file's bad rows are one run: slice it
        starts = np.flatnonzero(np.diff(origins, prepend=-1)).tolist()
        for start, stop in zip(starts, [*starts[1:], len(origins)], strict=True):
            index = int(origins[start])
            out[index] = ValidationResult(
                good=empty,
                bad_reasons=reasons[start:stop],
                bad_keys=keys[start:stop],
                bad_table=bad.slice(start, stop - start).select(files[index].raw.table.column_names),
            )
        return out
    for record, reason, key in zip(result.bad_rows, result.bad_reasons, result.bad_keys, strict=True):
        index = record[_ORIGIN]
        part = out[index]
        part.bad_rows.append({c: record[c] for c in files[index].raw.table.column_names})
        part.bad_reasons.append(reason)
        part.bad_keys.append(key)
    return out


def land_files(
    storage: LakeStorage,
    spec: EntitySpec,
    files: list[ParsedFile],
    ingested_at: dt.datetime | None = None,
) -> BatchReport:
    """Validate a group of files, quarantine each file's bad rows, merge the good rows in one commit.

    The group is validated as one table when the files' raw columns line up (the common
    case: one bulk cast per column for the whole group), else file by file.

    Args:
        storage: the lake.
        spec: the entity.
        files: parsed files (one group).
        ingested_at: the ingestion time stamped on new rows (default now).

    Returns:
        The group's :class:`~pipelines.ingest.BatchReport`.
    """
    batch_id = group_batch_id(spec.source, spec.entity, (f.sha256 for f in files))
    per_file: list[ValidationResult | None] = [None] * len(files)
    goods: list[pa.Table] = []
    together, alone = _combinable(files, spec) if len(files) > 1 else ([], list(range(len(files))))
    combined = _combined([files[i] for i in together]) if len(together) > 1 else None
    if combined is None:
        alone = sorted(alone + together)
    else:
        result = validate_batch(combined[0], spec, combined[1])
        goods.append(result.good)
        for i, part in zip(together, _split_by_file(result, [files[i] for i in together]), strict=True):
            per_file[i] = part
    for i in alone:
        per_file[i] = validate_batch(files[i].raw.table, spec, files[i].raw.row_errors)
        goods.append(per_file[i].good)
    good = pa.concat_tables(goods) if goods else spec.schema.empty_table()
    quarantined = quarantine_batches(storage, spec.source, spec.entity, [
        (file_batch_id(spec.source, spec.entity, parsed.sha256), result, parsed.raw.origin)
        for parsed, result in zip(files, per_file, strict=True)
        if result.quarantined  # a file without bad rows has no quarantine commit to name
    ])
    written = merge_batch(storage, spec, good, batch_id, ingested_at=ingested_at)
    return BatchReport(
        batch_id=batch_id,
        extracted=sum(f.raw.table.num_rows for f in files),
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
            ledger.record(batch.batch_id, [
                {"sha256": p.sha256, "file": p.file.relative, "size": p.file.size,
                 "dropped_at": p.file.modified_at.isoformat(), "rows": p.raw.table.num_rows}
                for p in group
            ], landing=landing.root)
            for parsed in group:
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
