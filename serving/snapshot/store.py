"""The API's view of the serving snapshot: the file the pointer names, opened read-only.

A request *leases* the current :class:`Snapshot` for its whole duration, so every query of
one response reads the same file. Between requests the store looks at the pointer (at most
every ``poll_interval_s``); when it names a new snapshot, the store opens it and new
requests lease it, while the old one is closed as soon as its last lease ends. Queries run
on a DuckDB cursor per thread (``connection.cursor()``: DuckDB connections are not safe to
share between threads). Scorecard documents are read from the snapshot's ``.documents``
file through ``mmap`` (offsets from ``serving.scorecard_documents``, loaded once per
snapshot): the hot path runs no query at all.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from serving.errors import NotReadyError
from serving.snapshot.pointer import SnapshotInfo, pointer_path, read_pointer

log = logging.getLogger(__name__)


#: how every reader in a process opens a snapshot file (DuckDB refuses a second connection
#: to the same file with another configuration). One thread per query: requests run
#: concurrently, each on its own cursor.
READ_CONFIG = {"threads": 1}


def open_read_only(path: str | Path) -> Any:
    """A read-only DuckDB connection to a snapshot file (session time zone UTC)."""
    import duckdb

    connection = duckdb.connect(str(path), read_only=True, config=dict(READ_CONFIG))
    connection.execute("SET TimeZone = 'UTC'")  # not settable in `config` (ICU loads later)
    return connection


@dataclass(frozen=True)
class ScorecardDocument:
    """A supplier's current scorecard as served: JSON body, its ETag, the units it is in."""

    supplier_key: str
    etag: str
    body: bytes
    units: frozenset[str]


class Snapshot:
    """One open snapshot file (read-only) with per-thread cursors."""

    def __init__(self, directory: Path, info: SnapshotInfo) -> None:
        self.info = info
        self.path = directory / info.file
        self._documents_path = directory / info.documents if info.documents else None
        self._connection = open_read_only(self.path)
        self._local = threading.local()
        self._cursors: list[Any] = []
        self._lock = threading.Lock()
        self._index: dict[str, tuple[str, int, int, frozenset[str]]] | None = None
        self._bodies: mmap.mmap | None = None
        self.leases = 0
        self.retired = False
        self.closed = False
        self._definitions: dict[str, str | None] | None = None
        self.platform_keys: dict[str, str] = {}
        try:
            rows = self._connection.execute(
                "SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()
            self.tables = frozenset(r[0] for r in rows)
            self._load_documents()  # now: the mapping keeps the file readable once it is retired
            if "serving.platform_suppliers" in self.tables:
                self.platform_keys = dict(self._connection.execute(
                    "SELECT platform_supplier_id, supplier_key FROM serving.platform_suppliers").fetchall())
        except Exception:
            self.close()
            raise

    @property
    def snapshot_id(self) -> str:
        return self.info.snapshot_id

    def has(self, table: str) -> bool:
        """Whether the snapshot holds ``table`` (``gold.supplier_master``)."""
        return table in self.tables

    def cursor(self) -> Any:
        """This thread's cursor on the snapshot."""
        cursor = getattr(self._local, "cursor", None)
        if cursor is None:
            cursor = self._connection.cursor()
            cursor.execute("SET TimeZone = 'UTC'")
            self._local.cursor = cursor
            with self._lock:
                self._cursors.append(cursor)
        return cursor

    def _load_documents(self) -> None:
        with self._lock:
            index: dict[str, tuple[str, int, int, frozenset[str]]] = {}
            if self._documents_path is not None and self.has("serving.scorecard_documents"):
                with open(self._documents_path, "rb") as handle:
                    if os.fstat(handle.fileno()).st_size:
                        self._bodies = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
                rows = self._connection.execute(
                    "SELECT supplier_key, etag, body_offset, body_length, units "
                    "FROM serving.scorecard_documents").fetchall()
                index = {key: (etag, offset, length, frozenset(units or ()))
                         for key, etag, offset, length, units in rows}
            self._index = index

    def document(self, supplier_key: str) -> ScorecardDocument | None:
        """The current scorecard document of a supplier (``None`` when it has none)."""
        entry = self._index.get(supplier_key) if self._index is not None else None
        if entry is None or self._bodies is None:
            return None
        etag, offset, length, units = entry
        return ScorecardDocument(supplier_key, etag, self._bodies[offset:offset + length], units)

    def definitions(self) -> dict[str, str | None]:
        """Metric → definition (``serving.metric_definitions``), read once per snapshot."""
        if self._definitions is None:
            found: dict[str, str | None] = {}
            if self.has("serving.metric_definitions"):
                found = dict(self.cursor().execute(
                    "SELECT metric, definition FROM serving.metric_definitions ORDER BY position"
                ).fetchall())
            self._definitions = found
        return self._definitions

    def close(self) -> None:
        """Close every cursor and the connection."""
        with self._lock:
            if self.closed:
                return
            self.closed = True
            for cursor in self._cursors:
                try:
                    cursor.close()
                except Exception:
                    log.debug("closing a cursor of %s failed", self.info.file, exc_info=True)
            self._connection.close()
            if self._bodies is not None:
                self._bodies.close()


class SnapshotStore:
    """Follows the pointer in ``snapshot_dir`` and lends out the current snapshot.

    Args:
        snapshot_dir: ``settings.serving.snapshot_dir``.
        poll_interval_s: how often (at most) the pointer is looked at; 0: every request.

    Example:
        >>> store = SnapshotStore("/tmp/serving")  # doctest: +SKIP
        >>> with store.lease() as snapshot:  # doctest: +SKIP
        ...     snapshot.cursor().execute("select count(*) from gold.supplier_master").fetchall()
    """

    def __init__(self, snapshot_dir: str | Path, *, poll_interval_s: float = 1.0) -> None:
        self.directory = Path(snapshot_dir)
        self.poll_interval_s = poll_interval_s
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._pointer_stamp: tuple[int, int] | None = None
        self._next_check = 0.0
        self.switches = 0

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(pointer_path(self.directory))
        except FileNotFoundError:
            return None
        return (stat.st_ino, stat.st_mtime_ns)

    def refresh(self) -> Snapshot | None:
        """Look at the pointer now; open and switch to a new snapshot if it changed."""
        with self._lock:
            self._next_check = time.monotonic() + self.poll_interval_s
            stamp = self._stamp()
            if stamp == self._pointer_stamp and self._current is not None:
                return self._current
            info = read_pointer(self.directory)
            if info is None or (self._current is not None
                                and info.snapshot_id == self._current.snapshot_id):
                self._pointer_stamp = stamp
                return self._current
            try:
                fresh = Snapshot(self.directory, info)
            except Exception:
                log.exception("cannot open serving snapshot %s; still serving %s", info.file,
                              self._current.snapshot_id if self._current else "nothing")
                return self._current
            self._pointer_stamp = stamp
            old, self._current = self._current, fresh
            self.switches += 1
            if old is not None:
                old.retired = True
                if old.leases == 0:
                    old.close()
            return fresh

    def current(self) -> Snapshot | None:
        """The current snapshot (the pointer is looked at when the poll interval has passed)."""
        if time.monotonic() >= self._next_check or self._current is None:
            return self.refresh()
        return self._current

    def acquire(self) -> Snapshot:
        """Lease the current snapshot; pair with :meth:`release`.

        Raises:
            NotReadyError: no snapshot has been published yet.
        """
        snapshot = self.current()
        with self._lock:
            snapshot = self._current
            if snapshot is None:
                raise NotReadyError("no serving snapshot has been published yet; run "
                                    "`grouplake run` (or materialize serving/snapshot)")
            snapshot.leases += 1
            return snapshot

    def release(self, snapshot: Snapshot) -> None:
        """End a lease; a retired snapshot closes with its last lease."""
        with self._lock:
            snapshot.leases -= 1
            close = snapshot.retired and snapshot.leases == 0
        if close:
            snapshot.close()

    @contextmanager
    def lease(self) -> Iterator[Snapshot]:
        """``with store.lease() as snapshot:`` — one snapshot for a whole request."""
        snapshot = self.acquire()
        try:
            yield snapshot
        finally:
            self.release(snapshot)

    def close(self) -> None:
        """Close the current snapshot (app shutdown)."""
        with self._lock:
            current, self._current = self._current, None
        if current is not None:
            current.close()


def snapshot_meta(snapshot: Snapshot) -> dict[str, Any]:
    """The build record stored inside the snapshot file."""
    found = snapshot.cursor().execute("SELECT value FROM serving.meta WHERE key = 'snapshot'").fetchall()
    return json.loads(found[0][0]) if found else snapshot.info.to_json()
