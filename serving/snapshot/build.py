"""Build a serving snapshot: gold Delta tables → one new DuckDB file → the pointer swapped.

The build never touches the files being served. It reads each served gold table's current
Delta version (one consistent version per table), writes ``snapshot-<id>.duckdb.<pid>.tmp``,
adds the derived tables the API reads (:mod:`serving.snapshot.derived`: scorecard documents
with their ETags — bodies in ``snapshot-<id>.documents`` — supplier scopes, column
definitions), checkpoints, renames the files to their final names and replaces the pointer. Builds are serialised by a file lock. When every
gold version equals the served snapshot's, nothing is built (unless ``force``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from lake.sql import register_table
from lake.storage import LakeStorage
from lake.tables import open_table
from serving.snapshot.catalog import SERVED_TABLES, ServedTable
from serving.snapshot.derived import build_derived
from serving.snapshot.pointer import (
    DOCUMENTS_SUFFIX,
    FILE_PREFIX,
    FILE_SUFFIX,
    SnapshotInfo,
    collect_garbage,
    read_pointer,
    write_pointer,
)

#: column descriptions per mart: ``{mart: {column: description}}`` (from the dbt manifest).
ColumnDocs = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build_snapshot` did."""

    info: SnapshotInfo
    built: bool  # False: the gold versions were unchanged, the current snapshot stays
    previous: SnapshotInfo | None
    deleted: list[str]
    missing: list[str]  # served marts absent from the lake


@contextlib.contextmanager
def _build_lock(directory: Path) -> Iterator[None]:
    with open(directory / ".build.lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _gold_versions(storage: LakeStorage, tables: tuple[ServedTable, ...]) -> tuple[dict, list[str]]:
    found, missing = {}, []
    for table in tables:
        delta = open_table(storage, table.relative_path)
        if delta is None:
            missing.append(table.mart)
        else:
            found[table.mart] = delta
    return found, missing


def fingerprint(versions: Mapping[str, int], docs: ColumnDocs) -> str:
    """Hash of what a snapshot is built from: the gold versions and the column docs."""
    material = {"versions": sorted(versions.items()),
                "docs": sorted((m, sorted(c.items())) for m, c in docs.items())}
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()


def snapshot_id(built_at: dt.datetime, source_fingerprint: str) -> str:
    """``<yyyymmddThhmmssffffffZ>-<8 hex>``: sortable by build time, naming what it was built from."""
    return f"{built_at.strftime('%Y%m%dT%H%M%S%fZ')}-{source_fingerprint[:8]}"


def _copy_table(con, table: ServedTable, delta) -> int:
    name = f"__src_{table.mart}"
    registered = register_table(con, f'"{name}"', delta, f"{name}__data")
    columns = set(delta.schema().to_arrow().names)
    order = [c for c in table.order_by if c in columns]
    order_sql = f" ORDER BY {', '.join(order)}" if order else ""
    con.execute(f'CREATE TABLE gold."{table.mart}" AS SELECT * FROM "{name}"{order_sql}')
    con.execute(f'DROP VIEW "{name}"')
    for part in registered:
        con.unregister(part)
    for position, index in enumerate(table.indexes):
        if set(index) <= columns:
            con.execute(f'CREATE INDEX "ix_{table.mart}_{position}" ON gold."{table.mart}" '
                        f'({", ".join(index)})')
    return con.execute(f'SELECT count(*) FROM gold."{table.mart}"').fetchall()[0][0]


def _write_docs(con, docs: ColumnDocs, present: set[str]) -> None:
    con.execute("CREATE TABLE serving.column_docs (mart VARCHAR, column_name VARCHAR, "
                "description VARCHAR)")
    rows = [(mart, column, str(text).strip()) for mart, columns in sorted(docs.items())
            if mart in present for column, text in sorted(columns.items()) if text]
    if rows:
        con.executemany("INSERT INTO serving.column_docs VALUES (?, ?, ?)", rows)


def build_snapshot(
    storage: LakeStorage,
    snapshot_dir: str | Path,
    *,
    column_docs: ColumnDocs | None = None,
    grace_s: float = 600,
    keep: int = 2,
    force: bool = False,
    tables: tuple[ServedTable, ...] = SERVED_TABLES,
) -> BuildResult:
    """Copy the served gold tables into a new snapshot file and make it current.

    Args:
        storage: the lake.
        snapshot_dir: where snapshot files and the pointer live (``settings.serving.snapshot_dir``).
        column_docs: column descriptions per mart (the dbt contracts); served as metric
            definitions and column docs.
        grace_s: retired snapshot files are deleted only after this many seconds.
        keep: retired snapshot files always kept.
        force: build even when the gold versions and docs are those of the current snapshot.
        tables: the tables to copy (default: :data:`~serving.snapshot.catalog.SERVED_TABLES`).

    Returns:
        A :class:`BuildResult`.

    Example:
        >>> build_snapshot(LakeStorage("/tmp/lake"), "/tmp/serving").info.snapshot_id  # doctest: +SKIP
        '20261125T043000123456Z-1a2b3c4d'
    """
    import duckdb

    directory = Path(snapshot_dir)
    directory.mkdir(parents=True, exist_ok=True)
    with _build_lock(directory):
        started = time.perf_counter()
        deltas, missing = _gold_versions(storage, tables)
        versions = {mart: delta.version() for mart, delta in deltas.items()}
        current = read_pointer(directory)
        source_fingerprint = fingerprint(versions, column_docs or {})
        if not force and current is not None and current.fingerprint == source_fingerprint:
            deleted = collect_garbage(directory, grace_s=grace_s, keep=keep)
            return BuildResult(current, False, current, deleted, missing)
        built_at = dt.datetime.now(dt.UTC)
        ident = snapshot_id(built_at, source_fingerprint)
        final = directory / f"{FILE_PREFIX}{ident}{FILE_SUFFIX}"
        tmp = directory / f"{final.name}.{os.getpid()}.tmp"
        documents = directory / f"{FILE_PREFIX}{ident}{DOCUMENTS_SUFFIX}"
        documents_tmp = directory / f"{documents.name}.{os.getpid()}.tmp"
        sources: dict[str, dict] = {}
        con = duckdb.connect(str(tmp))
        try:
            con.execute("SET TimeZone = 'UTC'")
            con.execute("CREATE SCHEMA gold")
            con.execute("CREATE SCHEMA serving")
            for table in tables:
                if table.mart in deltas:
                    rows = _copy_table(con, table, deltas[table.mart])
                    sources[table.mart] = {"version": versions[table.mart], "rows": rows}
            _write_docs(con, column_docs or {}, set(sources))
            has_documents = build_derived(con, set(sources), column_docs or {}, documents_tmp)
            seconds = round(time.perf_counter() - started, 3)
            info = SnapshotInfo(ident, final.name, built_at.isoformat(timespec="seconds"),
                                sources, seconds, source_fingerprint,
                                documents.name if has_documents else "")
            con.execute("CREATE TABLE serving.meta (key VARCHAR, value VARCHAR)")
            con.execute("INSERT INTO serving.meta VALUES ('snapshot', ?)", [json.dumps(info.to_json())])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        if has_documents:
            os.replace(documents_tmp, documents)
        os.replace(tmp, final)
        previous = write_pointer(directory, info)
        deleted = collect_garbage(directory, grace_s=grace_s, keep=keep)
        return BuildResult(info, True, previous, deleted, missing)


def build_from_settings(settings, *, column_docs: ColumnDocs | None = None,
                        force: bool = False) -> BuildResult:
    """:func:`build_snapshot` with the lake, directory and grace period from settings."""
    return build_snapshot(
        LakeStorage.from_settings(settings), settings.serving.snapshot_dir,
        column_docs=column_docs, grace_s=settings.serving.snapshot_grace_s,
        keep=settings.serving.snapshot_keep, force=force)
