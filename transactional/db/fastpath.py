"""The order hot path's statements, run on PostgreSQL through the driver directly.

Each statement is still written once, as SQLAlchemy Core, next to the service that uses it.
On PostgreSQL (when ``OLTP__FAST_PATH`` is on, the default) a :class:`HotStatement` is
compiled once to the driver's SQL and executed on the session's own psycopg connection, in
the same transaction, skipping SQLAlchemy's per-execution work (parameter processing, result
metadata, type processors). psycopg adapts the types natively: ``Decimal`` ↔ ``numeric``,
aware ``datetime`` ↔ ``timestamptz``, ``dict`` → ``jsonb`` (wrapped here), lists for
``= ANY(…)`` (what an expanding ``IN`` becomes). Every other database, and PostgreSQL with
the switch off, runs the same statement through SQLAlchemy as usual.

Why: placing an order is ~11 statements; SQLAlchemy's overhead per execution (~90 µs of CPU
here) was a large part of the service's cost per order (see ``bench_orders``).
Errors surface as psycopg exceptions; ``Database.run_write`` maps both kinds by SQLSTATE.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable, Insert

#: Connection execution option that turns the fast path on (set by ``Database``).
FAST_PATH_OPTION = "grouplake_fast_path"

_POSTCOMPILE = re.compile(r"IN \(__\[POSTCOMPILE_(\w+)\]\)")


class _Rows:
    """The few result methods the services use, over a psycopg cursor."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount

    def _fetch(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description is not None else []

    def first(self) -> Any:
        rows = self._fetch()
        return rows[0] if rows else None

    def all(self) -> list[Any]:
        return self._fetch()

    def one(self) -> Any:
        rows = self._fetch()
        if len(rows) != 1:
            raise LookupError(f"expected one row, got {len(rows)}")
        return rows[0]

    def scalar_one(self) -> Any:
        return self.one()[0]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fetch())


class HotStatement:
    """A prebuilt Core statement that takes the driver fast path on PostgreSQL.

    Args:
        statement: the Core statement (bind parameters by name).
        json_params: parameters holding JSON documents (wrapped as ``jsonb``).
    """

    def __init__(self, statement: Executable, *, json_params: Sequence[str] = ()) -> None:
        self.statement = statement
        self.json_params = tuple(json_params)
        self._compiled: dict[tuple[str, ...], tuple[str, Any]] = {}

    def _sql(self, dialect: Any, keys: tuple[str, ...]) -> tuple[str, Any]:
        cache_key = keys if isinstance(self.statement, Insert) else ()
        found = self._compiled.get(cache_key)
        if found is None:
            extra = {"column_keys": list(keys)} if isinstance(self.statement, Insert) else {}
            compiled = self.statement.compile(dialect=dialect, **extra)
            found = (_POSTCOMPILE.sub(r"= ANY(%(\1)s)", str(compiled)), compiled)
            self._compiled[cache_key] = found
        return found

    def execute(self, session: Session,
                params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None) -> Any:
        """Execute in the session's transaction; a list of parameter sets runs executemany.

        Returns:
            A SQLAlchemy result, or on the fast path an object with ``first``, ``one``,
            ``scalar_one``, ``all``, ``rowcount`` and iteration (rows are named tuples).
        """
        connection = session.connection()
        if (connection.dialect.name != "postgresql"
                or not connection.get_execution_options().get(FAST_PATH_OPTION)):
            return connection.execute(self.statement, params)
        from psycopg.rows import namedtuple_row
        from psycopg.types.json import Jsonb

        many = isinstance(params, list | tuple)
        batch = list(params) if many else [params or {}]
        sql, compiled = self._sql(connection.dialect, tuple(sorted(batch[0])))
        bound = []
        for values in batch:
            full = compiled.construct_params(values, _check=False)
            for name in self.json_params:
                if full.get(name) is not None:
                    full[name] = Jsonb(full[name])
            bound.append(full)
        cursor = connection.connection.driver_connection.cursor(row_factory=namedtuple_row)
        if many:
            cursor.executemany(sql, bound)
        else:
            cursor.execute(sql, bound[0])
        return _Rows(cursor)
