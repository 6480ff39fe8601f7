"""A landing (or archive) folder: a local directory or an object-store prefix.

File-drop sources (WMS exports, IoT JSONL drops) read what appeared in a folder and move
what they landed to an archive. :class:`DropFolder` hides where the folder lives behind
``pyarrow.fs``: locally a move is an atomic ``rename``; on an object store (``s3://…``)
it is a copy then a delete, which is safe here because the file ledger, not the folder,
decides whether a content was landed.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyarrow.fs as pafs

#: names that are never picked up: hidden files and files still being written.
_PARTIAL_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".filepart")


@dataclass(frozen=True)
class DropFile:
    """One file in a drop folder.

    Attributes:
        relative: path below the folder root, ``/``-separated (``movements/m_X_2025.csv``).
        size: bytes.
        modified_at: last modification time (UTC, microseconds): when the file was dropped.
    """

    relative: str
    size: int
    modified_at: dt.datetime

    @property
    def name(self) -> str:
        return posixpath.basename(self.relative)

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.name)[1].lower()

    def fingerprint(self) -> str:
        """``relative|size|mtime``: cheap change detection (the sensors use it)."""
        return f"{self.relative}|{self.size}|{self.modified_at.isoformat()}"


class DropFolder:
    """A folder of dropped files, local (``/data/landing``) or remote (``s3://bucket/landing``).

    Args:
        root: local path or URI understood by ``pyarrow.fs.FileSystem.from_uri``.

    Example:
        >>> folder = DropFolder("/tmp/landing/wms")  # doctest: +SKIP
        >>> [f.relative for f in folder.list(suffixes=(".csv",))]  # doctest: +SKIP
        ['movements/movements_COAL-001_20250101_20250131.csv']
    """

    def __init__(self, root: str) -> None:
        self.root = root
        if "://" in root and not root.startswith("file://"):
            self.fs, base = pafs.FileSystem.from_uri(root)
            self.is_local = False
        else:
            self.fs = pafs.LocalFileSystem()
            base = str(Path(root.removeprefix("file://")).absolute())
            self.is_local = True
        self.base = base.rstrip("/")

    def __repr__(self) -> str:
        return f"DropFolder({self.root!r})"

    def path(self, relative: str) -> str:
        """The filesystem path of ``relative``."""
        return f"{self.base}/{relative}"

    def list(self, suffixes: Iterable[str] | None = None) -> list[DropFile]:
        """Every complete file below the root (recursively), sorted by relative path.

        Args:
            suffixes: keep only these extensions (lower case, with the dot); ``None`` keeps all.
        """
        wanted = None if suffixes is None else {s.lower() for s in suffixes}
        selector = pafs.FileSelector(self.base, recursive=True, allow_not_found=True)
        out: list[DropFile] = []
        for info in self.fs.get_file_info(selector):
            if info.type != pafs.FileType.File:
                continue
            relative = info.path[len(self.base) + 1 :] if info.path.startswith(self.base) else info.path
            parts = relative.split("/")
            if any(p.startswith(".") for p in parts) or relative.lower().endswith(_PARTIAL_SUFFIXES):
                continue
            f = DropFile(relative, int(info.size or 0), _utc_micros(info.mtime))
            if wanted is None or f.suffix in wanted:
                out.append(f)
        return sorted(out, key=lambda f: f.relative)

    def read(self, f: DropFile | str) -> bytes:
        """The whole content of a file."""
        relative = f.relative if isinstance(f, DropFile) else f
        with self.fs.open_input_stream(self.path(relative)) as stream:
            return stream.read()

    def exists(self, relative: str) -> bool:
        return self.fs.get_file_info(self.path(relative)).type == pafs.FileType.File

    def write(self, relative: str, data: bytes) -> None:
        """Write a file (tests and tools; atomic locally: temporary name, then rename)."""
        target = self.path(relative)
        self.fs.create_dir(posixpath.dirname(target), recursive=True)
        if not self.is_local:
            with self.fs.open_output_stream(target) as stream:
                stream.write(data)
            return
        tmp = posixpath.join(posixpath.dirname(target), f".{posixpath.basename(target)}.tmp")
        with self.fs.open_output_stream(tmp) as stream:
            stream.write(data)
        self.fs.move(tmp, target)

    def move_to(self, relative: str, target: DropFolder, target_relative: str) -> None:
        """Move a file into ``target`` (atomic rename when both are on the same local disk)."""
        src = self.path(relative)
        dst = target.path(target_relative)
        target.fs.create_dir(posixpath.dirname(dst), recursive=True)
        if self.is_local and target.is_local:
            try:
                self.fs.move(src, dst)
                return
            except OSError:  # another device: fall back to copy + delete
                pass
        pafs.copy_files(src, dst, source_filesystem=self.fs, destination_filesystem=target.fs)
        self.fs.delete_file(src)


def _utc_micros(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def archive_name(relative: str, sha256: str) -> str:
    """Where a landed file goes in the archive: its path with the content hash before the suffix.

    The hash keeps two different contents dropped under one name apart in the archive.

    Example:
        >>> archive_name("stock/stock_A_20250131.csv", "ab" * 32)
        'stock/stock_A_20250131.abababababab.csv'
    """
    stem, suffix = posixpath.splitext(relative)
    return f"{stem}.{sha256[:12]}{suffix}"
