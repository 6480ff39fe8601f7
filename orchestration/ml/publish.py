"""Write an ML gold table: one Delta ``overwrite`` commit, none when the content is unchanged.

Readers see the previous or the new version, never a mix. The content hash (Arrow IPC of
the table, in its key order) is stored in the commit metadata, so re-publishing the same
scores creates no new Delta version.
"""

from __future__ import annotations

import hashlib

import pyarrow as pa

from pipelines.lake.storage import LakeStorage
from pipelines.lake.tables import open_table

CONTENT_HASH_KEY = "grouplake.content_sha256"


def content_hash(table: pa.Table) -> str:
    """SHA-256 of the table's Arrow IPC stream (schema and rows, in order)."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()


def publish_table(
    storage: LakeStorage, relative: str, table: pa.Table, *, name: str, description: str,
    metadata: dict[str, str],
) -> tuple[int, bool, str]:
    """Overwrite ``<lake>/<relative>`` with ``table`` unless identical.

    Returns:
        ``(delta version, changed, content hash)``.
    """
    from deltalake import CommitProperties, write_deltalake

    digest = content_hash(table)
    current = open_table(storage, relative)
    if current is not None:
        history = current.history(1)
        if history and history[0].get(CONTENT_HASH_KEY) == digest:
            return current.version(), False, digest
    write_deltalake(
        storage.uri(relative), table, mode="overwrite", schema_mode="overwrite",
        storage_options=storage.delta_options(), name=name, description=description[:1000],
        commit_properties=CommitProperties(custom_metadata={CONTENT_HASH_KEY: digest, **metadata}),
    )
    written = open_table(storage, relative)
    assert written is not None
    return written.version(), True, digest
