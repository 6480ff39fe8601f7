"""Publish a whole table to the lake by content hash: one Delta ``overwrite`` commit, or none.

Every published table (the gold marts, the ML score tables, decision snapshots) goes through
:func:`publish_table`. The content hash (SHA-256 of the table's Arrow IPC stream, in the row
order the caller gives, usually its key) is stored in the commit's metadata, so publishing the
same content again creates no new Delta version; readers see the previous or the new
version, never a mix. The table is written with plain Arrow types (:func:`lake.conform.plain_types`:
no ``string_view`` / ``large_string`` from DuckDB or Polars), so every file reads back as the
table's schema says.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import NamedTuple

import pyarrow as pa

from lake.conform import plain_types
from lake.storage import LakeStorage
from lake.tables import open_table

#: Commit-metadata key holding the content hash of a published version.
CONTENT_HASH_KEY = "grouplake.content_sha256"


class Published(NamedTuple):
    """What :func:`publish_table` did.

    Attributes:
        version: the Delta version now current.
        changed: whether this call wrote a new version.
        content_hash: SHA-256 of the table's content.
    """

    version: int
    changed: bool
    content_hash: str


def content_hash(table: pa.Table) -> str:
    """SHA-256 of the table's Arrow IPC stream (schema and rows, in order).

    Example:
        >>> content_hash(pa.table({"a": [1]})) == content_hash(pa.table({"a": [1]}))
        True
    """
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def published_hash(storage: LakeStorage, relative: str) -> tuple[str | None, int | None]:
    """(content hash, version) of the current version of ``<lake>/<relative>``, or (None, None)."""
    table = open_table(storage, relative)
    if table is None:
        return None, None
    history = table.history(1)
    info = history[0] if history else {}
    return info.get(CONTENT_HASH_KEY), table.version()


def overwrite_table(
    storage: LakeStorage, relative: str, table: pa.Table, *, name: str, description: str = "",
    metadata: dict[str, str] | None = None,
) -> int:
    """Overwrite ``<lake>/<relative>`` with ``table`` in one Delta commit; returns the version."""
    from deltalake import CommitProperties, write_deltalake

    write_deltalake(
        storage.uri(relative), table, mode="overwrite", schema_mode="overwrite",
        storage_options=storage.delta_options(), name=name, description=description[:1000] or None,
        commit_properties=CommitProperties(custom_metadata=dict(metadata or {})),
    )
    written = open_table(storage, relative)
    assert written is not None
    return written.version()


def publish_table(
    storage: LakeStorage, relative: str, table: pa.Table, *, name: str, description: str = "",
    metadata: dict[str, str] | None = None,
) -> Published:
    """Overwrite ``<lake>/<relative>`` with ``table`` unless its content is already current.

    Args:
        storage: the lake.
        relative: the table's path under the lake root (``gold/<mart>``).
        table: the full new content, in a deterministic row order.
        name: the table's SQL name, stored in the Delta metadata (``gold.<mart>``).
        description: stored in the Delta metadata (first 1,000 characters).
        metadata: further commit metadata (run id, model version …).

    Returns:
        The current version, whether this call wrote it, and the content hash.
    """
    table = plain_types(table)
    digest = content_hash(table)
    previous_hash, previous_version = published_hash(storage, relative)
    if previous_version is not None and previous_hash == digest:
        return Published(previous_version, False, digest)
    version = overwrite_table(storage, relative, table, name=name, description=description,
                              metadata={CONTENT_HASH_KEY: digest, **(metadata or {})})
    return Published(version, True, digest)


class PublishedTable(NamedTuple):
    """The current version of a published table, whole (see :func:`read_published`).

    Attributes:
        table: its rows.
        content_hash: the content hash recorded at publish (None for a table written otherwise).
        version: the Delta version.
        committed_at: when that version was committed (aware, UTC).
    """

    table: pa.Table
    content_hash: str | None
    version: int
    committed_at: dt.datetime


def read_published(storage: LakeStorage, relative: str) -> PublishedTable | None:
    """Read the current version of ``<lake>/<relative>`` with its content hash and commit
    time, or None when the table does not exist (decision snapshots are read whole)."""
    table = open_table(storage, relative)
    if table is None:
        return None
    history = table.history(1)
    info = history[0] if history else {}
    stamp = info.get("timestamp")
    committed = (dt.datetime.fromtimestamp(stamp / 1000, tz=dt.UTC) if stamp is not None
                 else dt.datetime.now(dt.UTC))
    return PublishedTable(table.to_pyarrow_table(), info.get(CONTENT_HASH_KEY), table.version(), committed)
