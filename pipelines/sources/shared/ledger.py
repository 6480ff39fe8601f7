"""The file ledger: which file contents were landed, keyed by their sha256.

A file is identified by what it holds, not by its name: the same name dropped again with
new content is a new file (landed again), the same content dropped again under any name is
recognised and skipped. One small JSON document per landed content lives under
``<lake>/_meta/ledgers/<source>/<entity>/<sha256>.json``, written only after the Delta
commit of the batch that landed it, so a crash leaves the file unrecorded and the re-run
lands it again, which the batch's transaction id makes a no-op.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow.fs as pafs

from pipelines.lake.storage import LakeStorage


class FileLedger:
    """The landed contents of one ``source.entity``.

    Args:
        storage: the lake (the ledger lives in its ``_meta/``).
        source: source name (``wms``).
        entity: entity name (``movements``).
    """

    def __init__(self, storage: LakeStorage, source: str, entity: str) -> None:
        self.storage = storage
        self.prefix = f"_meta/ledgers/{source}/{entity}"

    def _relative(self, sha256: str) -> str:
        return f"{self.prefix}/{sha256}.json"

    def landed(self) -> set[str]:
        """The sha256 of every content already landed (one listing, not one lookup per file)."""
        uri = self.storage.uri(self.prefix)
        if self.storage.is_local:
            fs, path = pafs.LocalFileSystem(), uri
        else:
            fs, path = pafs.FileSystem.from_uri(uri)
        selector = pafs.FileSelector(path, recursive=False, allow_not_found=True)
        return {
            info.base_name[: -len(".json")]
            for info in fs.get_file_info(selector)
            if info.type == pafs.FileType.File and info.base_name.endswith(".json")
        }

    def get(self, sha256: str) -> dict[str, Any] | None:
        """The ledger entry of a content, or ``None``."""
        return self.storage.read_json(self._relative(sha256))

    def record(self, sha256: str, entry: dict[str, Any]) -> None:
        """Record a content as landed (after its batch committed)."""
        payload = {"sha256": sha256, "recorded_at": dt.datetime.now(dt.UTC).isoformat(), **entry}
        self.storage.write_json(self._relative(sha256), payload)
