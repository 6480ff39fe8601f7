"""Rewrite a Delta table's drifted files to the types the table declares, in one commit.

A delta-rs ``MERGE`` (also ``DELETE`` / ``UPDATE``) writes ``string_view`` / ``binary_view``
columns whatever it is given (deltalake 1.6); other engines may write ``large_string``.
Readers cope (:func:`lake.tables.snapshot_parts`), but a file typed as the table declares is
cheaper to read and safe for any reader outside the project. :func:`conform_files` reads each
drifted file, casts it to the declared types, writes it next to the old one and commits one
Delta transaction that removes the old files and adds the new ones with ``dataChange=false``
(like ``OPTIMIZE``: the rows are the same, streaming readers skip it). Time travel keeps the
old version. Two callers:

- :func:`lake.writer.merge_batch` after each ``MERGE``, on the files that ``MERGE`` wrote (a
  second commit: the batch's own commit stays the one carrying its transaction id);
- ``grouplake lake repair`` (:func:`repair_table`) on every drifted file of a table written by
  older code.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from deltalake import CommitProperties, DeltaTable
from deltalake.transaction import AddAction, RemoveAction

from lake.filestats import file_stats
from lake.storage import LakeStorage
from lake.tables import dataset, drifted, open_table

HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


@dataclass(frozen=True)
class ConformResult:
    """What :func:`conform_files` did."""

    files: int  # files rewritten
    rows: int  # rows in them
    columns: tuple[str, ...]  # columns whose type was corrected
    version: int | None  # the Delta version committed, None when nothing drifted


_PLAIN = {pa.string_view(): pa.string(), pa.large_string(): pa.string(),
          pa.binary_view(): pa.binary(), pa.large_binary(): pa.binary()}


def plain_types(table: pa.Table) -> pa.Table:
    """``table`` with ``string_view`` / ``large_string`` columns as ``string`` and
    ``binary_view`` / ``large_binary`` as ``binary`` (what a Delta ``string`` / ``binary``
    column reads back as); other columns untouched, no copy when nothing changes.

    Example:
        >>> plain_types(pa.table({"a": pa.array(["x"], pa.large_string())})).schema.types
        [DataType(string)]
    """
    fields = [f.with_type(_PLAIN.get(f.type, f.type)) for f in table.schema]
    schema = pa.schema(fields, metadata=table.schema.metadata)
    return table if schema.equals(table.schema) else table.cast(schema)


def _partition_values(relative: str, partition_by: list[str]) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for part in relative.split("/")[:-1]:
        name, sep, value = part.partition("=")
        if sep and name in partition_by:
            value = unquote(value)
            found[name] = None if value == HIVE_NULL else value
    return {c: found.get(c) for c in partition_by}


def _write_file(fs, path: str, payload: bytes) -> None:
    """Write ``payload`` at ``path`` (delta-rs's object-store handler takes ``bytes`` only:
    through pyarrow's stream wrapper it would receive a ``Buffer``)."""
    raw = getattr(getattr(fs, "handler", None), "_handler", None)
    if raw is None:
        with fs.open_output_stream(path) as out:
            out.write(payload)
        return
    out = raw.open_output_stream(path, None)
    try:
        out.write(payload)
    finally:
        out.close()


def _relative(table: DeltaTable, uri: str) -> str:
    root = table.table_uri.removeprefix("file://").rstrip("/")
    return unquote(uri.removeprefix("file://").removeprefix(root).lstrip("/"))


def conform_files(table: DeltaTable, only: Iterable[str] | None = None) -> ConformResult:
    """Rewrite the table's files whose column types differ from the declared ones.

    Args:
        table: the Delta table (its current snapshot).
        only: restrict to these files (URIs as :meth:`DeltaTable.file_uris` gives them);
            ``None``: every file of the snapshot.

    Returns:
        A :class:`ConformResult`; ``version`` is ``None`` (no commit) when no file drifted.
    """
    whole = dataset(table)
    declared = whole.schema
    partition_by = list(table.metadata().partition_columns)
    file_schema = pa.schema([f for f in declared if f.name not in partition_by])
    wanted = None if only is None else {_relative(table, u) for u in only}
    fs = whole.filesystem
    actions: list[AddAction | RemoveAction] = []
    rows, columns = 0, set()
    now = int(time.time() * 1000)
    fragments = whole.get_fragments() if isinstance(whole, pads.FileSystemDataset) else []
    for fragment in fragments:
        relative = unquote(fragment.path)
        if wanted is not None and relative not in wanted:
            continue
        names = drifted(file_schema, fragment.physical_schema)
        if not names:
            continue
        with fs.open_input_file(fragment.path) as source:
            data = pq.read_table(source).select(file_schema.names).cast(file_schema)
        sink = pa.BufferOutputStream()
        pq.write_table(data, sink, compression="snappy")
        payload = sink.getvalue()
        folder = fragment.path.rsplit("/", 1)[0] + "/" if "/" in fragment.path else ""
        new_path = f"{folder}part-00000-{uuid.uuid4()}-c000.snappy.parquet"
        _write_file(fs, new_path, payload.to_pybytes())
        _, stats = file_stats(pq.read_metadata(pa.BufferReader(payload)), file_schema)
        values = _partition_values(relative, partition_by)
        actions.append(RemoveAction(path=fragment.path, data_change=False, deletion_timestamp=now,
                                    size=fs.get_file_info(fragment.path).size, partition_values=values))
        actions.append(AddAction(path=new_path, size=len(payload), partition_values=values,
                                 modification_time=now, data_change=False, stats=stats))
        rows += data.num_rows
        columns.update(names)
    if not actions:
        return ConformResult(0, 0, (), None)
    table.create_write_transaction(
        actions,
        mode="append",
        schema=table.schema(),
        partition_by=partition_by or None,
        commit_properties=CommitProperties(custom_metadata={"grouplake.operation": "conform column types"}),
    )
    table.update_incremental()
    return ConformResult(len(actions) // 2, rows, tuple(sorted(columns)), table.version())


def repair_table(storage: LakeStorage, relative: str) -> ConformResult:
    """``grouplake lake repair``: rewrite every drifted file of the table at ``relative``.

    Idempotent: a table whose files all hold the declared types gets no new version.
    An absent table raises ``FileNotFoundError``.
    """
    table = open_table(storage, relative)
    if table is None:
        raise FileNotFoundError(f"no Delta table at {storage.uri(relative)}")
    return conform_files(table)
