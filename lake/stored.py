"""Read only the stored keys an incoming batch could collide with.

Merging by key compares each batch with the keys already stored. Reading every stored key
for every batch makes a batch cost as much as the whole table, so loading a large source
in batches grows quadratically. Two exact reductions keep it proportional to what can match:

1. **files**: Delta keeps each data file's partition values and per-column min/max
   statistics; delta-rs's ``file_uris(file_pruning_predicate=…)`` returns the files that may
   hold a key inside the batch's key range (partition columns of the key: exactly its
   partition values). It returns a superset — files without statistics are kept;
2. **rows**: the same range is applied as a row filter while reading.

A stored row outside the batch's key range cannot carry one of its keys, so the merge's
outcome is unchanged. Local tables without deletion vectors or column mapping are read
straight from their Parquet files (no per-file partition expressions to build); any other
table goes through the Delta dataset with the same row filter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads
import pyarrow.fs as pafs
from deltalake import DeltaTable

from lake.keys import KeyCodes
from lake.spec import EntitySpec
from lake.tables import read_columns

#: a key partition column with more distinct values than this in a batch is pruned by range.
MAX_IN_VALUES = 2_000
_PRUNABLE = (str, int, float, dt.date, dt.datetime)


def key_bounds(
    batch: pa.Table, spec: EntitySpec, partition_columns: list[str], keys: KeyCodes | None = None
) -> list[tuple[str, str, Any]]:
    """``(column, op, value)`` filters that every key of ``batch`` satisfies.

    ``keys`` (the batch's packed keys, when the caller has them) gives each key column's
    distinct values, so the bounds come from those rather than from every row.

    Example:
        >>> import pyarrow as pa
        >>> spec = EntitySpec("s", "t", pa.schema([("id", pa.string())]), key=("id",), change_column=None)
        >>> key_bounds(pa.table({"id": ["b", "a", "c"]}), spec, [])
        [('id', '>=', 'a'), ('id', '<=', 'c')]
    """
    filters: list[tuple[str, str, Any]] = []
    distinct = dict(zip(keys.names, keys.dictionaries, strict=True)) if keys is not None else {}
    for name in spec.key:
        column = distinct.get(name)
        if column is None:
            column = batch.column(name)
        if name in partition_columns:
            values = distinct[name] if name in distinct else pc.unique(column)
            if len(values) <= MAX_IN_VALUES and values.null_count == 0:
                filters.append((name, "in", values.to_pylist()))
                continue
        bounds = pc.min_max(column).as_py()
        low, high = bounds["min"], bounds["max"]
        if isinstance(low, _PRUNABLE) and isinstance(high, _PRUNABLE) and not isinstance(low, bool):
            filters += [(name, ">=", low), (name, "<=", high)]
    return filters


def _row_filter(filters: list[tuple[str, str, Any]]) -> pads.Expression | None:
    expression = None
    for name, op, value in filters:
        field = pads.field(name)
        term = field.isin(value) if op == "in" else (field >= value if op == ">=" else field <= value)
        expression = term if expression is None else expression & term
    return expression


def read_stored(
    table: DeltaTable, spec: EntitySpec, columns: list[str], batch: pa.Table, keys: KeyCodes | None = None
) -> pa.Table:
    """The stored ``columns`` of the rows whose key lies within ``batch``'s key range.

    Args:
        table: the Delta table (current snapshot).
        spec: its entity spec (declared types of the columns).
        columns: the key and change columns to read.
        batch: the incoming batch (its key columns bound what is read).
        keys: the batch's packed keys, if the caller has them (see :func:`key_bounds`). Then
            the files are still pruned by the key range, but their rows are not filtered and
            text key columns are read dictionary-encoded (as Parquet stores them): the
            caller's lookup of packed keys (:meth:`~lake.keys.KeyCodes.lookup`)
            is exact, and per row cheaper than the filter and the text decoding it saves.

    Returns:
        A superset of the stored rows sharing a key with ``batch`` (never a subset).
    """
    metadata = table.metadata()
    partition_columns = list(metadata.partition_columns)
    filters = key_bounds(batch, spec, partition_columns, keys) if batch.num_rows else []
    expression = _row_filter(filters)
    features = set(table.protocol().reader_features or [])
    plain = (
        not (features & {"deletionVectors", "columnMapping"})
        and metadata.configuration.get("delta.columnMapping.mode", "none") == "none"
    )
    uris = table.file_uris(file_pruning_predicate=filters or None) if plain else []
    if not plain or not all(u.startswith("/") for u in uris):
        return read_columns(table, columns, filter=expression)
    schema = pa.schema([spec.schema.field(c) for c in columns])
    if not uris:
        return schema.empty_table()
    in_path = [c for c in columns if c in partition_columns]
    options: dict[str, Any] = {}
    if in_path:
        root = table.table_uri.removeprefix("file://").rstrip("/")
        options = {
            "partitioning": pads.HivePartitioning(pa.schema([spec.schema.field(c) for c in in_path])),
            "partition_base_dir": root,
        }
    if keys is not None:
        encoded = _read_encoded(uris, schema, options)
        if encoded is not None:
            return encoded
    files = pads.dataset(uris, schema=schema, format="parquet", filesystem=pafs.LocalFileSystem(), **options)
    try:
        return files.to_table(columns=columns, filter=expression)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
        # files written by a Delta MERGE hold string_view columns, which pyarrow cannot
        # compare with the filter's strings inside the scan: filter after the cast instead
        table = files.to_table(columns=columns)
        return table.filter(expression) if expression is not None else table


def _read_encoded(uris: list[str], schema: pa.Schema, options: dict[str, Any]) -> pa.Table | None:
    """All rows of the files, text columns dictionary-encoded; ``None`` when the files' column
    types do not allow it (text written as ``string_view`` by a Delta MERGE …)."""
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    encoded = pa.schema([f.with_type(pa.dictionary(pa.int32(), f.type)) if f.name in text else f for f in schema])
    fmt = pads.ParquetFileFormat(read_options=pads.ParquetReadOptions(dictionary_columns=text))
    try:
        files = pads.dataset(uris, schema=encoded, format=fmt, filesystem=pafs.LocalFileSystem(), **options)
        return files.to_table(columns=schema.names)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError, pa.ArrowInvalid):
        return None
