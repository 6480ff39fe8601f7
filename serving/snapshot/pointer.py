"""The ``current.json`` pointer naming the snapshot the API serves, and garbage collection.

A snapshot is two files with one stem, ``snapshot-<id>``: the DuckDB file (``.duckdb``)
and the pre-rendered scorecard documents (``.documents``, read through ``mmap``). The
pointer is replaced in one ``os.replace`` (atomic on POSIX): a reader sees the old or the
new one, never a half-written file. A snapshot the pointer no longer names is *retired*:
its files' modification time is set to the moment it was replaced, and they are deleted
once older than the grace period (readers that opened them before the swap finish their
requests on them) unless the snapshot is among the most recently retired ones, always kept.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

POINTER_NAME = "current.json"
FILE_PREFIX = "snapshot-"
FILE_SUFFIX = ".duckdb"
DOCUMENTS_SUFFIX = ".documents"


@dataclass(frozen=True)
class SnapshotInfo:
    """What the pointer says about the served snapshot.

    Attributes:
        snapshot_id: ``<UTC build time>-<8 hex of the gold versions>``.
        file: the DuckDB file name (relative to the snapshot directory).
        built_at: ISO-8601 UTC build time.
        sources: per gold table: ``{"version": <Delta version>, "rows": <rows>}``.
        build_seconds: how long the build took.
        fingerprint: hash of the gold versions and column docs it was built from (an
            unchanged fingerprint means nothing to rebuild).
        documents: the scorecard documents file ('' when the snapshot has no scorecards).
    """

    snapshot_id: str
    file: str
    built_at: str
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    build_seconds: float = 0.0
    fingerprint: str = ""
    documents: str = ""

    @property
    def stem(self) -> str:
        """``snapshot-<id>``: the common name of the snapshot's files."""
        return stem_of(self.file)

    def to_json(self) -> dict[str, Any]:
        return {"snapshot_id": self.snapshot_id, "file": self.file, "built_at": self.built_at,
                "sources": self.sources, "build_seconds": self.build_seconds,
                "fingerprint": self.fingerprint, "documents": self.documents}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SnapshotInfo:
        return cls(data["snapshot_id"], data["file"], data["built_at"],
                   dict(data.get("sources") or {}), float(data.get("build_seconds") or 0.0),
                   str(data.get("fingerprint") or ""), str(data.get("documents") or ""))


def stem_of(name: str) -> str:
    """``snapshot-<id>`` of any of a snapshot's file names (ids hold no dot)."""
    return name.split(".", 1)[0]


def pointer_path(snapshot_dir: str | Path) -> Path:
    """Where the pointer lives."""
    return Path(snapshot_dir) / POINTER_NAME


def read_pointer(snapshot_dir: str | Path) -> SnapshotInfo | None:
    """The current snapshot, or ``None`` when none was published (or the file it names is gone)."""
    path = pointer_path(snapshot_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    info = SnapshotInfo.from_json(data)
    if not (Path(snapshot_dir) / info.file).exists():
        return None
    return info


def write_pointer(snapshot_dir: str | Path, info: SnapshotInfo) -> SnapshotInfo | None:
    """Point at ``info`` atomically; the previous snapshot's file is marked retired now.

    Returns:
        The snapshot that was current before, if any.
    """
    directory = Path(snapshot_dir)
    previous = read_pointer(directory)
    tmp = directory / f".{POINTER_NAME}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(info.to_json(), indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, pointer_path(directory))
    if previous is not None and previous.stem != info.stem:
        for path in directory.glob(f"{previous.stem}.*"):
            try:
                os.utime(path)  # retired now: the grace period starts
            except FileNotFoundError:
                pass
    return previous


def collect_garbage(snapshot_dir: str | Path, *, grace_s: float, keep: int,
                    now: float | None = None) -> list[str]:
    """Delete retired snapshot files older than ``grace_s`` beyond the ``keep`` newest.

    Also removes temporary files of builds that died (older than ``grace_s``).

    Returns:
        Names of the deleted files.
    """
    directory = Path(snapshot_dir)
    now = time.time() if now is None else now
    current = read_pointer(directory)
    current_stem = current.stem if current is not None else None
    retired: dict[str, list[tuple[float, Path]]] = {}
    deleted = []
    for path in directory.glob(f"{FILE_PREFIX}*"):
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            continue
        stem = stem_of(path.name)
        if path.name.endswith((FILE_SUFFIX, DOCUMENTS_SUFFIX)):
            if stem != current_stem:
                retired.setdefault(stem, []).append((mtime, path))
        elif now - mtime > grace_s and stem != current_stem:
            deleted.append(_unlink(path))  # .tmp / .wal leftovers of a dead build
    newest_first = sorted(retired.items(), key=lambda item: max(m for m, _ in item[1]), reverse=True)
    for _stem, files in newest_first[keep:]:
        if all(now - mtime > grace_s for mtime, _ in files):
            deleted.extend(_unlink(path) for _, path in files)
    return sorted(name for name in deleted if name)


def _unlink(path: Path) -> str | None:
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    return path.name
