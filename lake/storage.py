"""Where lake tables live: local folders or an object store, addressed the same way.

Everything that needs a table URI or a small metadata file (watermarks, file ledgers) goes
through :class:`LakeStorage`, so ``LAKE__ROOT=s3://bucket/lake`` changes configuration,
not code. Small files are written atomically (temporary file, then rename; on object
stores a single PUT is atomic).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.fs as pafs

from lake.object_store import filesystem_for


@dataclass(frozen=True)
class LakeStorage:
    """A lake root and the options to reach it.

    Args:
        root: local path or URI (``s3://bucket/prefix``).
        storage_options: passed to delta-rs (credentials, endpoint, region …).
    """

    root: str
    storage_options: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Any) -> LakeStorage:
        """Build from :class:`infra.settings.Settings`."""
        return cls(settings.lake.root, dict(settings.lake.storage_options))

    @property
    def is_local(self) -> bool:
        return "://" not in self.root or self.root.startswith("file://")

    def uri(self, relative: str) -> str:
        """URI of ``relative`` below the root (what delta-rs is given)."""
        base = self.root.removeprefix("file://") if self.is_local else self.root
        if self.is_local:
            return str(Path(base).absolute() / relative)
        return f"{base.rstrip('/')}/{relative}"

    def delta_options(self) -> dict[str, str] | None:
        """Storage options for delta-rs, or ``None`` for a local lake."""
        return self.storage_options or None

    # -- small metadata files -------------------------------------------------------------

    def filesystem(self, relative: str = "") -> tuple[pafs.FileSystem, str]:
        """``(pyarrow filesystem, path)`` of ``relative`` below the root.

        On an object store the filesystem is configured from :attr:`storage_options` (the
        same endpoint and keys delta-rs uses), not from the process's default credentials.
        """
        uri = self.uri(relative)
        if self.is_local:
            return pafs.LocalFileSystem(), uri
        return filesystem_for(uri, self.storage_options)

    def read_json(self, relative: str) -> dict[str, Any] | None:
        """Read a JSON metadata file, or ``None`` when it does not exist."""
        fs, path = self.filesystem(relative)
        info = fs.get_file_info(path)
        if info.type == pafs.FileType.NotFound:
            return None
        with fs.open_input_stream(path) as stream:
            return json.loads(stream.read().decode("utf-8"))

    def write_json(self, relative: str, payload: dict[str, Any]) -> None:
        """Write a JSON metadata file atomically."""
        data = json.dumps(payload, indent=2, sort_keys=True, default=str).encode("utf-8")
        fs, path = self.filesystem(relative)
        if self.is_local:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_bytes(data)
            tmp.replace(target)
            return
        with fs.open_output_stream(path) as stream:
            stream.write(data)

    def exists(self, relative: str) -> bool:
        """Whether a file or folder exists below the root."""
        fs, path = self.filesystem(relative)
        return fs.get_file_info(path).type != pafs.FileType.NotFound
