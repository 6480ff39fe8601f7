"""Delta ``stats`` of a Parquet file from its footer, as delta-rs writes them.

Used wherever the project commits Parquet files it wrote itself (the Spark engine's commit,
:mod:`lake.conform`), so file skipping works on them as on files delta-rs wrote.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

#: string min/max values longer than this are truncated (min) or left out (max), like delta-rs.
STATS_STRING_PREFIX = 64


def stat_value(value: Any, dtype: pa.DataType) -> Any | None:
    """A Parquet footer min/max as delta-rs writes it in ``stats`` JSON (None: leave out)."""
    if value is None:
        return None
    if pa.types.is_timestamp(dtype):
        if isinstance(value, dt.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            millis = value.microsecond // 1000
            text = value.replace(microsecond=0).isoformat()
            return f"{text}.{millis:03d}Z" if millis else f"{text}Z"
        return None
    if pa.types.is_date(dtype):
        return value.isoformat() if isinstance(value, dt.date) else None
    if pa.types.is_decimal(dtype):
        return float(value) if isinstance(value, Decimal) else None
    if pa.types.is_floating(dtype):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    if pa.types.is_integer(dtype) or pa.types.is_boolean(dtype):
        return value
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return value if isinstance(value, str) else None
    return None  # binary, nested: no statistics, like delta-rs


def file_stats(path: str | Path | pq.FileMetaData, schema: pa.Schema) -> tuple[int, str]:
    """Row count and Delta ``stats`` JSON of one Parquet file, from its footer only.

    Args:
        path: the Parquet file (or its footer, already read).
        schema: the table's Arrow schema (decides how values are written and which
            columns get statistics; columns absent from the file are left out).

    Returns:
        ``(num_records, stats_json)`` with ``numRecords``, ``minValues``, ``maxValues`` and
        ``nullCount``; a column's min/max is left out when any row group lacks it.
    """
    meta = path if isinstance(path, pq.FileMetaData) else pq.ParquetFile(path).metadata
    types = {f.name: f.type for f in schema}
    mins: dict[str, Any] = {}
    maxs: dict[str, Any] = {}
    nulls: dict[str, int] = {}
    for j in range(meta.num_columns):
        name = meta.schema.column(j).path
        dtype = types.get(name)
        if dtype is None or pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
            continue
        lo = hi = None
        null_count: int | None = 0
        bounded = meta.num_rows > 0
        for i in range(meta.num_row_groups):
            column = meta.row_group(i).column(j)
            st = column.statistics
            if column.num_values == 0 and meta.row_group(i).num_rows == 0:
                continue
            if st is None:
                bounded, null_count = False, None
                break
            null_count = None if (null_count is None or not st.has_null_count) else null_count + st.null_count
            if st.has_min_max:
                lo = st.min if lo is None or st.min < lo else lo
                hi = st.max if hi is None or st.max > hi else hi
            elif st.null_count != meta.row_group(i).num_rows:
                bounded = False
        if null_count is not None:
            nulls[name] = null_count
        if not bounded:
            continue
        lo_v, hi_v = stat_value(lo, dtype), stat_value(hi, dtype)
        if isinstance(lo_v, str) and len(lo_v) > STATS_STRING_PREFIX:
            lo_v = lo_v[:STATS_STRING_PREFIX]
        if isinstance(hi_v, str) and len(hi_v) > STATS_STRING_PREFIX:
            hi_v = None
        if lo_v is not None:
            mins[name] = lo_v
        if hi_v is not None:
            maxs[name] = hi_v
    stats = {"numRecords": meta.num_rows, "minValues": mins, "maxValues": maxs, "nullCount": nulls}
    return meta.num_rows, json.dumps(stats, separators=(",", ":"))
