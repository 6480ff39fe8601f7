"""Pages of snapshot query results: ``limit`` rows from ``offset``, with the total count
(the HTTP kit's ``Page``), and the small SQL helpers every repository uses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from infra.http.pages import Page, PageRequest


def rows(cursor: Any, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """Run ``sql`` and return its rows as dicts (column name → value)."""
    result = cursor.execute(sql, list(params))
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def one(cursor: Any, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
    """The first row of ``sql`` as a dict, or ``None``."""
    found = rows(cursor, sql + " LIMIT 1", params)
    return found[0] if found else None


def contains_pattern(text: str) -> str:
    """An ``ILIKE ? ESCAPE '\\'`` pattern matching ``text`` anywhere, its wildcards literal.

    Example:
        >>> contains_pattern("100%_A")
        '%100\\%\\_A%'
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fetch_page(cursor: Any, sql: str, params: Sequence[Any], order_by: str,
               page: PageRequest) -> Page:
    """One page of ``sql`` (a SELECT without ORDER BY / LIMIT) and its total.

    Args:
        cursor: a snapshot cursor.
        sql: the query, filters applied.
        params: its parameters.
        order_by: the ORDER BY clause (must make the order total, e.g. end with the key).
        page: which rows.
    """
    total = cursor.execute(f"SELECT count(*) FROM ({sql})", list(params)).fetchall()[0][0]
    items = rows(cursor, f"{sql} ORDER BY {order_by} LIMIT ? OFFSET ?",
                 [*params, page.limit, page.offset]) if total else []
    return Page.of(items, total, page)


class Where:
    """A conjunction of SQL conditions with their parameters, built up filter by filter.

    Example:
        >>> where = Where().add("scope = ?", "COAL").add_if(None, "segment = ?")
        >>> where.sql, where.params
        (' WHERE scope = ?', ['COAL'])
    """

    def __init__(self) -> None:
        self.conditions: list[str] = []
        self.params: list[Any] = []

    def add(self, condition: str, *params: Any) -> Where:
        self.conditions.append(condition)
        self.params.extend(params)
        return self

    def add_if(self, value: Any, condition: str, *extra: Any) -> Where:
        """Add ``condition`` with ``value`` (and ``extra``) unless ``value`` is ``None``."""
        if value is not None:
            self.add(condition, value, *extra)
        return self

    @property
    def sql(self) -> str:
        return f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""
