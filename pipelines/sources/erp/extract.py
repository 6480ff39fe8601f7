"""Incremental, Arrow-native extraction from the ERP database (any SQLAlchemy URL).

Rows are read in keyset order ``(updated_at, primary key)`` starting strictly after the
committed watermark, one bounded batch per query, through the DBAPI cursor with no ORM
and no per-value type processing: the driver's raw values go straight into Arrow arrays
and validation casts them in bulk. Batches are therefore deterministic (the same watermark
gives the same batch) and memory stays bounded whatever the table size.

SQLite is typeless, so a "number" column can hold text and a text column can hold bytes
that are not UTF-8. Both are kept, not lost: mixed columns arrive as text (validation then
quarantines the rows that do not parse) and undecodable text is flagged per row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.types import NullType

from lake.spec import EntitySpec
from pipelines.ingest import RawBatch


class UndecodableText(str):
    """A text value whose bytes were not valid UTF-8 (shown with backslash escapes)."""


def _decode_sqlite_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return UndecodableText(raw.decode("utf-8", errors="backslashreplace"))


def create_source_engine(url: str) -> sa.Engine:
    """An engine for reading an ERP database; SQLite keeps undecodable text instead of failing."""
    engine = sa.create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _text_factory(dbapi_connection, _record) -> None:
            dbapi_connection.text_factory = _decode_sqlite_text

    return engine


def _to_jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def column_to_arrow(values: list[Any], name: str, row_errors: dict[int, str]) -> pa.Array:
    """Turn one column of raw DBAPI values into an Arrow array without losing any value."""
    if any(isinstance(v, bytes) for v in values):
        values = [_decode_sqlite_text(v) if isinstance(v, bytes) else v for v in values]
    for pos, value in enumerate(values):
        if isinstance(value, UndecodableText):
            row_errors.setdefault(pos, f"column {name!r}: text is not valid UTF-8: {str(value)[:80]!r}")
    if any(isinstance(v, (dict, list)) for v in values):
        values = [None if v is None else json.dumps(v, ensure_ascii=False, default=str) for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        # mixed types (SQLite): keep everything as text; validation decides per row
        return pa.array([None if v is None else str(_to_jsonable(v)) for v in values], pa.string())


@dataclass
class ErpExtractor:
    """Keyset-paginated extraction of ERP tables.

    Args:
        engine: a SQLAlchemy engine on the ERP database (see :func:`create_source_engine`).
        metadata: the ERP's table definitions.
        batch_rows: rows per batch (one query, one Delta commit each).
    """

    engine: sa.Engine
    metadata: sa.MetaData
    batch_rows: int = 100_000

    def _table(self, spec: EntitySpec) -> sa.Table:
        return self.metadata.tables[spec.entity]

    def _after(self, table: sa.Table, spec: EntitySpec, since: list[Any]) -> sa.ColumnElement[bool]:
        """``(change, key...) > since`` as a portable boolean expression."""
        change_col = table.c[spec.change_column]
        change_value = _bind_datetime(change_col, since[0])
        key_cols = [table.c[k] for k in spec.key]
        key_values = since[1:]
        # lexicographic comparison, expanded (row-value comparison is not portable)
        terms = [change_col > change_value]
        prefix = [change_col == change_value]
        for col, value in zip(key_cols, key_values, strict=True):
            terms.append(sa.and_(*prefix, col > value))
            prefix.append(col == value)
        return sa.or_(*terms)

    def extract(self, spec: EntitySpec, since: Any | None) -> Iterator[RawBatch]:
        """Yield batches of rows changed after ``since`` = ``[change_iso, *key]``, oldest first."""
        if spec.change_column is None:
            raise ValueError(f"{spec.name}: ERP extraction needs a change column")
        table = self._table(spec)
        raw_columns = [sa.type_coerce(c, NullType()).label(c.name) for c in table.columns]
        order = [table.c[spec.change_column], *(table.c[k] for k in spec.key)]
        change_pos = table.columns.keys().index(spec.change_column)
        key_pos = [table.columns.keys().index(k) for k in spec.key]
        low = since
        while True:
            stmt = sa.select(*raw_columns).order_by(*order).limit(self.batch_rows)
            if low is not None:
                stmt = stmt.where(self._after(table, spec, low))
            else:
                stmt = stmt.where(table.c[spec.change_column].is_not(None))
            with self.engine.connect() as conn:
                rows = conn.execute(stmt).fetchall()
            if not rows:
                return
            columns = list(zip(*rows, strict=True))
            row_errors: dict[int, str] = {}
            arrays = [
                column_to_arrow(list(values), name, row_errors)
                for name, values in zip(table.columns.keys(), columns, strict=True)
            ]
            batch = pa.Table.from_arrays(arrays, names=table.columns.keys())
            last = rows[-1]
            high = [_watermark_value(last[change_pos]), *(_to_jsonable(last[p]) for p in key_pos)]
            yield RawBatch(table=batch, low=low, high=high, row_errors=row_errors, origin=f"erp:{spec.entity}")
            if len(rows) < self.batch_rows:
                return
            low = high


def _watermark_value(value: Any) -> str:
    """A change timestamp as stored in a watermark: ISO text, UTC."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.isoformat(sep=" ")
    return str(value)


def _bind_datetime(column: sa.Column, value: str) -> Any:
    """Turn a watermark back into a value comparable with the column in SQL."""
    if not isinstance(column.type, sa.DateTime):
        return value
    parsed = dt.datetime.fromisoformat(value)
    if column.type.timezone:
        return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed
    return parsed.replace(tzinfo=None)
