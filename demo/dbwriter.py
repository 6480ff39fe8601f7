"""Bulk writes of simulated frames into any SQLAlchemy database (SQLite fast path).

Frames hold timestamps as epoch seconds and dates as day numbers; this module converts
them per column type of the target table and inserts with ``executemany`` in chunks (no
ORM objects). On SQLite it pre-formats values exactly as SQLAlchemy would store them and
goes through the driver directly, which is several times faster.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from demo.timebase import date_strings, iso_strings, to_dates, to_datetimes

CHUNK = 20_000


def make_engine(url: str) -> sa.Engine:
    """An engine for ``url``; creates the parent directory of a SQLite file."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def _json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def column_values(column: sa.Column, values: pd.Series | np.ndarray, sqlite: bool) -> list:
    """Python values for ``column`` from a frame column (NaN / None → NULL)."""
    t = column.type
    arr = values.to_numpy() if isinstance(values, pd.Series) else values
    if isinstance(t, sa.DateTime):
        seconds = arr.astype(float)
        return iso_strings(seconds).tolist() if sqlite else to_datetimes(seconds)
    if isinstance(t, sa.Date):
        days = arr.astype(float)
        return date_strings(days).tolist() if sqlite else to_dates(days)
    if isinstance(t, sa.JSON):
        return [_json(v) for v in arr] if sqlite else [None if v is None else v for v in arr]
    if isinstance(t, sa.Boolean):
        out = [None if v is None else bool(v) for v in arr.tolist()]
        return [None if v is None else int(v) for v in out] if sqlite else out
    if isinstance(t, sa.Integer):
        f = arr.astype(float)
        out = np.round(f).astype(object)
        out[np.isnan(f)] = None
        return [v if v is None else int(v) for v in out.tolist()]
    if isinstance(t, (sa.Numeric, sa.Float)):
        f = arr.astype(float)
        out = f.astype(object)
        out[np.isnan(f)] = None
        return out.tolist()
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.StringDtype):
        return values.to_numpy(dtype=object, na_value=None).tolist()
    out = arr.astype(object)
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else str(v) for v in out.tolist()]


def _rows(table: sa.Table, frame: pd.DataFrame, columns: list[str], sqlite: bool) -> list[tuple]:
    values = [column_values(table.c[c], frame[c], sqlite) for c in columns]
    return list(zip(*values, strict=True))


def _sorted_chunks(table: sa.Table, frame: pd.DataFrame, columns: list[str], sqlite: bool,
                   size: int) -> Iterator[list[tuple]]:
    """Rows of ``frame`` in primary-key order, converted a chunk at a time (bounded memory)."""
    pk = table.primary_key.columns.keys()[0]
    order = np.argsort(frame[pk].to_numpy(dtype=object).astype(str), kind="stable")
    sub = frame[columns]
    for i in range(0, len(order), size):
        yield _rows(table, sub.iloc[order[i : i + size]], columns, sqlite)


def insert_frame(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert the table's columns of ``frame`` (sorted by primary key); returns the row count."""
    if frame.empty:
        return 0
    columns = [c.name for c in table.columns]
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        sql = f'INSERT INTO "{table.name}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        for chunk in _sorted_chunks(table, frame, columns, sqlite, CHUNK):
            conn.exec_driver_sql(sql, chunk)
    else:
        for chunk in _sorted_chunks(table, frame, columns, sqlite, 5_000):
            conn.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in chunk])
    return len(frame)


def update_frame(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, columns: list[str]) -> int:
    """Update ``columns`` (plus ``updated_at``) of the rows of ``frame`` by primary key."""
    if frame.empty:
        return 0
    pk = table.primary_key.columns.keys()[0]
    cols = [c for c in dict.fromkeys([*columns, "updated_at"]) if c != pk]
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        sql = f'UPDATE "{table.name}" SET {", ".join(f"{c} = ?" for c in cols)} WHERE {pk} = ?'
        for chunk in _sorted_chunks(table, frame, [*cols, pk], sqlite, CHUNK):
            conn.exec_driver_sql(sql, chunk)
    else:
        stmt = (sa.update(table).where(table.c[pk] == sa.bindparam("_pk"))
                .values({c: sa.bindparam(f"_v_{c}") for c in cols}))
        names = [f"_v_{c}" for c in cols] + ["_pk"]
        for chunk in _sorted_chunks(table, frame, [*cols, pk], sqlite, 5_000):
            conn.execute(stmt, [dict(zip(names, r, strict=True)) for r in chunk])
    return len(frame)


def reset_tables(engine: sa.Engine, metadata: sa.MetaData) -> None:
    """Drop and re-create every table of ``metadata`` (other tables are left alone)."""
    metadata.drop_all(engine)
    metadata.create_all(engine)
