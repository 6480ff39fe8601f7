"""Partitioned JDBC reads of an ERP table, rows strictly after a keyset watermark.

The embedded extractor reads ``(change, key…) > watermark`` in keyset order, batch by batch.
Spark reads the same rows in parallel: the change-timestamp range is cut into N contiguous
slices, each slice is one JDBC query (one Spark task), and each query numbers its rows with
``ROW_NUMBER() OVER (ORDER BY change, key…)`` *in the database*, so the global keyset order
(offset of the slice + row number) is the database's own order and collation, exactly the
order the embedded extractor pages through. The SQL is rendered by SQLAlchemy from the
ERP's table definitions, with literal values, for the source's dialect.

SQLite is typeless: its columns are read as text (``customSchema``), as the embedded path
keeps mixed columns as text, and validation casts them. Typed databases are read natively.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.dialects.sqlite
from sqlalchemy.types import NullType

from lake.spec import EntitySpec
from pipelines.sources.erp.extract import _bind_datetime

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

ROW_NUMBER = "__rn"
PART = "__part"

_DRIVERS = {
    "sqlite": ("org.sqlite.JDBC", "sqlite-jdbc.jar"),
    "postgresql": ("org.postgresql.Driver", "postgresql.jar"),
    "mysql": ("org.mariadb.jdbc.Driver", "mariadb-java-client.jar"),
    "mariadb": ("org.mariadb.jdbc.Driver", "mariadb-java-client.jar"),
}


@dataclass(frozen=True)
class JdbcSource:
    """How Spark reaches a SQL database.

    Attributes:
        url: the JDBC URL.
        driver: the driver class.
        jar: the driver's jar file name (see ``infra/install_jdbc_jars.sh``).
        dialect: SQLAlchemy dialect name.
        properties: connection properties (user, password …).
    """

    url: str
    driver: str
    jar: str
    dialect: str
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def typeless(self) -> bool:
        """SQLite: read every column as text, validation casts it."""
        return self.dialect == "sqlite"


def jdbc_source(url: str | sa.URL) -> JdbcSource:
    """The JDBC view of a SQLAlchemy URL (sqlite, postgresql, mysql / mariadb).

    Example:
        >>> jdbc_source("postgresql+psycopg://etl:pw@db:5433/erp").url
        'jdbc:postgresql://db:5433/erp'
    """
    parsed = sa.make_url(url) if isinstance(url, str) else url
    dialect = parsed.get_backend_name()
    if dialect not in _DRIVERS:
        raise ValueError(f"the Spark engine has no JDBC driver for {dialect!r} databases")
    driver, jar = _DRIVERS[dialect]
    props = {k: str(v) for k, v in (("user", parsed.username), ("password", parsed.password)) if v}
    if dialect == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("the Spark engine needs an SQLite database file, not :memory:")
        return JdbcSource(f"jdbc:sqlite:{Path(parsed.database).absolute()}", driver, jar, dialect)
    host = parsed.host or "127.0.0.1"
    if dialect == "postgresql":
        jdbc = f"jdbc:postgresql://{host}:{parsed.port or 5432}/{parsed.database or ''}"
    else:  # Spark's MySQL dialect (quoting with backticks) matches jdbc:mysql URLs
        jdbc = f"jdbc:mysql://{host}:{parsed.port or 3306}/{parsed.database or ''}"
        dialect = "mysql"
    return JdbcSource(jdbc, driver, jar, dialect, props)


_INTEGER_TEXT = re.compile(r"^[+-]?\d+$")


def sqlite_affinity(column_type: sa.types.TypeEngine) -> str:
    """SQLite's column affinity of a declared type (https://sqlite.org/datatype3.html, 3.1)."""
    name = column_type.compile(dialect=sa.dialects.sqlite.dialect()).upper()
    if "INT" in name:
        return "INTEGER"
    if any(t in name for t in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in name or not name:
        return "BLOB"
    if any(t in name for t in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def sqlite_stored_value(text: Any, affinity: str) -> Any:
    """The value SQLite holds for ``text`` read back as a string (numbers come back as numbers).

    SQLite converts well-formed numeric text to a number on insert in INTEGER, REAL and
    NUMERIC columns, so numeric text read from such a column was a number in the database:
    this is what the embedded extractor, which reads raw values, sees.
    """
    if not isinstance(text, str) or affinity in ("TEXT", "BLOB"):
        return text
    if _INTEGER_TEXT.match(text):
        return float(text) if affinity == "REAL" else int(text)
    try:
        number = float(text)
    except ValueError:
        return text
    return number if text.strip() == text and text.lower() not in ("nan", "inf", "-inf", "infinity", "-infinity") else text


def _literal_dialect(engine: sa.Engine) -> sa.Dialect:
    """The engine's dialect rendering literals without doubling ``%`` (no DBAPI params)."""
    return type(engine.dialect)(paramstyle="qmark")


def _bind_ts(column: sa.Column, value: str, dialect: str) -> Any:
    """A watermark timestamp as SQL sees it (MySQL DATETIME holds naive UTC digits)."""
    bound = _bind_datetime(column, value)
    if dialect == "mysql" and isinstance(bound, dt.datetime) and bound.tzinfo is not None:
        return bound.astimezone(dt.UTC).replace(tzinfo=None)
    return bound


def after_watermark(table: sa.Table, spec: EntitySpec, since: Sequence[Any] | None, dialect: str) -> sa.ColumnElement[bool]:
    """``(change, key…) > since`` expanded lexicographically (as the embedded extractor does)."""
    change = table.c[spec.change_column]
    if since is None:
        return change.is_not(None)
    value = _bind_ts(change, since[0], dialect)
    terms = [change > value]
    prefix = [change == value]
    for col, key_value in zip((table.c[k] for k in spec.key), since[1:], strict=True):
        terms.append(sa.and_(*prefix, col > key_value))
        prefix.append(col == key_value)
    return sa.or_(*terms)


def _as_datetime(value: Any) -> dt.datetime | None:
    """A raw change value as naive UTC, or ``None`` when it is not a timestamp."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, str):
        try:
            return _as_datetime(dt.datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class ReadPlan:
    """The JDBC queries of one extraction, in keyset order, and what the planner saw."""

    queries: list[str]
    expected_rows: int


def plan_queries(
    engine: sa.Engine,
    table: sa.Table,
    spec: EntitySpec,
    since: Sequence[Any] | None,
    *,
    partitions: int,
    min_rows_per_partition: int,
) -> ReadPlan:
    """Cut the rows after ``since`` into contiguous change-timestamp slices, one query each.

    Slices are ``[b_i, b_{i+1})`` between the minimum and maximum change timestamps (evenly
    spaced in time), so together they cover exactly the rows after the watermark, and their
    order is the keyset order. Each query numbers its rows in keyset order.
    """
    dialect = jdbc_source(engine.url).dialect
    change = table.c[spec.change_column]
    base = after_watermark(table, spec, since, dialect)
    probe = sa.select(
        sa.func.count(),
        sa.type_coerce(sa.func.min(change), NullType()),
        sa.type_coerce(sa.func.max(change), NullType()),
    ).where(base)
    with engine.connect() as conn:
        count, low, high = conn.execute(probe).one()
    low_ts, high_ts = _as_datetime(low), _as_datetime(high)
    n = max(1, min(partitions, count // max(1, min_rows_per_partition)))
    if low_ts is None or high_ts is None or high_ts <= low_ts:
        n = 1
    bounds = [low_ts + (high_ts - low_ts) * i / n for i in range(1, n)] if n > 1 else []
    order = [change, *(table.c[k] for k in spec.key)]
    numbered = sa.func.row_number().over(order_by=order).label(ROW_NUMBER)
    render = _literal_dialect(engine)
    queries = []
    for i in range(n):
        where = [base]
        if i > 0:
            where.append(change >= _bind_ts(change, bounds[i - 1].isoformat(), dialect))
        if i < n - 1:
            where.append(change < _bind_ts(change, bounds[i].isoformat(), dialect))
        stmt = sa.select(*table.columns, numbered).where(*where)
        queries.append(str(stmt.compile(dialect=render, compile_kwargs={"literal_binds": True})))
    return ReadPlan(queries, int(count))


def read_queries(
    spark: SparkSession,
    source: JdbcSource,
    queries: Sequence[str],
    columns: Sequence[str],
    *,
    fetch_size: int = 10_000,
) -> DataFrame:
    """Run each query as one Spark task; the rows carry ``__part`` (query index) and ``__rn``.

    Args:
        spark: the session.
        source: the database.
        queries: SQL with literal values, each returning ``columns`` and ``__rn``.
        columns: the table's columns (SQLite reads them all as text).
        fetch_size: rows per JDBC fetch.
    """
    from pyspark.sql import functions as F

    frames = []
    for i, query in enumerate(queries):
        reader = (
            spark.read.format("jdbc")
            .option("url", source.url)
            .option("driver", source.driver)
            .option("query", query)
            .option("fetchsize", str(fetch_size))
        )
        for key, value in source.properties.items():
            reader = reader.option(key, value)
        if source.typeless:
            text = ", ".join(f"`{c}` STRING" for c in columns)
            reader = reader.option("customSchema", f"{text}, `{ROW_NUMBER}` BIGINT")
        frame = reader.load()
        frames.append(
            frame.select(
                *[F.col(f"`{c}`") for c in columns],
                F.col(ROW_NUMBER).cast("long").alias(ROW_NUMBER),
                F.lit(i).cast("int").alias(PART),
            )
        )
    return reduce(lambda a, b: a.unionByName(b), frames)
