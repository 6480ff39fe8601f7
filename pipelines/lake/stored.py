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

from pipelines.lake.spec import EntitySpec
from pipelines.lake.tables import read_columns

#: a key partition column with more distinct values than this in a batch is pruned by range.
MAX_IN_VALUES = 2_000
_PRUNABLE = (str, int, float, dt.date, dt.datetime)


def key_bounds(batch: pa.Table, spec: EntitySpec, partition_columns: list[str]) -> list[tuple[str, str, Any]]:
    """``(column, op, value)`` filters that every key of ``batch`` satisfies.

    Example:
        >>> import pyarrow as pa
        >>> spec = EntitySpec("s", "t", pa.schema([("id", pa.string())]), key=("id",), change_column=None)
        >>> key_bounds(pa.table({"id": ["b", "a", "c"]}), spec, [])
        [('id', '>=', 'a'), ('id', '<=', 'c')]
    """
    filters: list[tuple[str, str, Any]] = []
    for name in spec.key:
        column = batch.column(name)
        if name in partition_columns:
            values = pc.unique(column)
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


def read_stored(table: DeltaTable, spec: EntitySpec, columns: list[str], batch: pa.Table) -> pa.Table:
    """The stored ``columns`` of the rows whose key lies within ``batch``'s key range.

    Args:
        table: the Delta table (current snapshot).
        spec: its entity spec (declared types of the columns).
        columns: the key and change columns to read.
        batch: the incoming batch (its key columns bound what is read).

    Returns:
        A superset of the stored rows sharing a key with ``batch`` (never a subset).
    """
    metadata = table.metadata()
    partition_columns = list(metadata.partition_columns)
    filters = key_bounds(batch, spec, partition_columns) if batch.num_rows else []
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
    files = pads.dataset(uris, schema=schema, format="parquet", filesystem=pafs.LocalFileSystem(), **options)
    try:
        return files.to_table(columns=columns, filter=expression)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
        # files written by a Delta MERGE hold string_view columns, which pyarrow cannot
        # compare with the filter's strings inside the scan: filter after the cast instead
        table = files.to_table(columns=columns)
        return table.filter(expression) if expression is not None else table
