"""The file ledger: which file contents were landed, keyed by their sha256.

A file is identified by what it holds, not by its name: the same name dropped again with
new content is a new file (landed again), the same content dropped again under any name is
recognised and skipped. One small JSON document per landed *group* of files lives under
``<lake>/_meta/ledgers/<source>/<entity>/<batch_id>.json``, listing each file's hash, name,
size and drop time. It is written only after the group's Delta commit, so a crash leaves the
files unrecorded and the re-run lands them again, which the batch's transaction id makes a
no-op. One document per group (not per file) keeps the bookkeeping at one small write per
commit however many files a group holds.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pyarrow.fs as pafs

from lake.storage import LakeStorage


class FileLedger:
    """The landed contents of one ``source.entity``.

    Args:
        storage: the lake (the ledger lives in its ``_meta/``).
        source: source name (``wms``).
        entity: entity name (``movements``).

    Example:
        >>> ledger = FileLedger(LakeStorage("/tmp/lake"), "wms", "movements")  # doctest: +SKIP
        >>> ledger.record("wms.movements.1a2b", [{"sha256": "ab…", "file": "m.csv"}])  # doctest: +SKIP
        >>> "ab…" in ledger.landed()  # doctest: +SKIP
        True
    """

    def __init__(self, storage: LakeStorage, source: str, entity: str) -> None:
        self.storage = storage
        self.prefix = f"_meta/ledgers/{source}/{entity}"

    def _fs(self) -> tuple[pafs.FileSystem, str]:
        return self.storage.filesystem(self.prefix)

    def entries(self) -> list[dict[str, Any]]:
        """Every landed file's entry (with the ``batch_id`` that landed it)."""
        fs, path = self._fs()
        selector = pafs.FileSelector(path, recursive=False, allow_not_found=True)
        out: list[dict[str, Any]] = []
        for info in sorted(fs.get_file_info(selector), key=lambda i: i.path):
            if info.type != pafs.FileType.File or not info.base_name.endswith(".json"):
                continue
            with fs.open_input_stream(info.path) as stream:
                document = json.loads(stream.read().decode("utf-8"))
            out += [{**f, "batch_id": document["batch_id"]} for f in document["files"]]
        return out

    def landed(self) -> set[str]:
        """The sha256 of every content already landed."""
        return {entry["sha256"] for entry in self.entries()}

    def record(self, batch_id: str, files: list[dict[str, Any]], **extra: Any) -> None:
        """Record a group of files as landed (after their batch committed).

        Args:
            batch_id: the group's batch id (the document's name).
            files: one dict per file, with at least ``sha256``.
            extra: more fields for the document (``landing`` …).
        """
        self.storage.write_json(
            f"{self.prefix}/{batch_id}.json",
            {"batch_id": batch_id, "recorded_at": dt.datetime.now(dt.UTC).isoformat(), "files": files, **extra},
        )
