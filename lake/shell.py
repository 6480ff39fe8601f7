"""What ``grouplake sql`` prints and the interactive shell around it.

* :func:`render` runs one statement and writes its result: a table for people (capped at
  ``limit`` rows, then "… N more rows", counted by streaming the rest, not loading it), CSV
  or JSON for programs (numbers stay numbers, dates ISO strings), or a Parquet file for large
  results (written by DuckDB, streamed).
* :func:`run_shell` reads statements until ``;``: Ctrl-C clears the line being typed (it
  never quits), Ctrl-D or ``.quit`` leaves, ``.tables`` lists the lake's tables, Tab
  completes schemas, tables and columns.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

#: Rows a table shows unless ``--limit`` says otherwise (0: all).
DEFAULT_TABLE_ROWS = 100
#: The layers a user queries (the lake's internal names are left out of listings).
LAYERS = ("bronze", "silver", "gold")
TABLES_SQL = ("select table_schema || '.' || table_name as name from information_schema.tables "
              f"where table_schema in {LAYERS} and table_name not like '\\_\\_%' escape '\\' order by 1")


class OutputFormat(str, Enum):
    """How a result is written."""

    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _rows(relation: Any, limit: int) -> tuple[list[str], list[tuple], int]:
    """The first ``limit`` rows (all when 0) and how many more there are.

    A result within the cap is fetched as Python rows under ``LIMIT cap + 1`` (no Arrow: a
    one-line query does not pay for importing pyarrow); a larger one is streamed in Arrow
    batches, the rows past the cap only counted.
    """
    if limit:
        head = relation.limit(limit + 1).fetchall()
        if len(head) <= limit:
            return list(relation.columns), head, 0
    reader = relation.to_arrow_reader(batch_size=max(limit, 1) if limit else 100_000)
    columns = list(relation.columns)
    kept: list[tuple] = []
    more = 0
    for batch in reader:
        if limit and len(kept) >= limit:
            more += batch.num_rows
            continue
        take = batch if not limit else batch.slice(0, limit - len(kept))
        kept.extend(zip(*(col.to_pylist() for col in take.columns), strict=True) if take.num_rows else [])
        more += batch.num_rows - take.num_rows
    return columns, kept, more


def render(con: Any, query: str, fmt: OutputFormat, *, limit: int | None = None, output: Path | None = None,
           out: TextIO | None = None) -> int:
    """Run ``query`` and write its result.

    Args:
        con: a DuckDB connection over the lake (:func:`lake.sql.connect`).
        query: one SQL statement.
        fmt: table, csv, json or parquet.
        limit: rows shown; None = :data:`DEFAULT_TABLE_ROWS` for a table and all rows for
            csv / json; 0 = all.
        output: the file for ``parquet`` (required) or for csv / json (default stdout).
        out: where text goes (default stdout).

    Returns:
        The number of result rows (written or not).

    Raises:
        ValueError: parquet without ``output``.
    """
    out = out or sys.stdout
    relation = con.sql(query)
    if relation is None:  # DDL / SET statements
        return 0
    if fmt is OutputFormat.parquet:
        if output is None:
            raise ValueError("--format parquet needs --output FILE")
        if limit:
            relation = relation.limit(limit)
        relation.write_parquet(str(output))
        return int(con.sql(f"select count(*) from read_parquet('{str(output).replace(chr(39), chr(39) * 2)}')")
                   .fetchall()[0][0])
    cap = (DEFAULT_TABLE_ROWS if fmt is OutputFormat.table else 0) if limit is None else limit
    columns, rows, more = _rows(relation, cap)
    target = output.open("w", encoding="utf-8", newline="") if output is not None else out
    try:
        if fmt is OutputFormat.csv:
            import csv

            writer = csv.writer(target)
            writer.writerow(columns)
            writer.writerows(rows)
        elif fmt is OutputFormat.json:
            records = [dict(zip(columns, (_jsonable(v) for v in r), strict=True)) for r in rows]
            target.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
        else:
            _print_table(columns, rows, more, target)
    finally:
        if output is not None:
            target.close()
    return len(rows) + more


def _print_table(columns: list[str], rows: list[tuple], more: int, out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*("NULL" if v is None else str(v) for v in r))
    console = Console(file=out)
    console.print(table)
    if more:
        console.print(f"[dim]… {more:,} more row(s) ({len(rows) + more:,} in all; --limit N or 0 for all, "
                      "--format parquet --output FILE for large results)[/dim]")
    else:
        console.print(f"[dim]{len(rows)} row(s)[/dim]")


class Completer:
    """Tab completion of SQL keywords, schemas, ``schema.table`` and column names (names
    read from the connection on first use)."""

    KEYWORDS = ("select", "from", "where", "group by", "order by", "limit", "join", "left join", "on",
                "and", "or", "not", "count(*)", "distinct", "having", "with", "as", "in", "like", "between")

    def __init__(self, con: Any) -> None:
        self.con = con
        self._names: list[str] | None = None
        self._matches: list[str] = []

    def names(self) -> list[str]:
        """Every completable word, sorted."""
        if self._names is None:
            found = self.con.sql(
                "select table_schema, table_name, column_name from information_schema.columns "
                f"where table_schema in {LAYERS} and table_name not like '\\_\\_%' escape '\\'").fetchall()
            words = set(self.KEYWORDS) | set(LAYERS)
            for schema, table, column in found:
                words.update({f"{schema}.{table}", column})
            self._names = sorted(words)
        return self._names

    def complete(self, text: str, state: int) -> str | None:
        """readline's completer protocol: the ``state``-th completion of ``text``."""
        if state == 0:
            lowered = text.lower()
            self._matches = [w for w in self.names() if w.lower().startswith(lowered)]
        return self._matches[state] if state < len(self._matches) else None


def run_shell(con: Any, fmt: OutputFormat, *, limit: int | None = None,
              read: Callable[[str], str] = input, out: TextIO | None = None) -> None:
    """The interactive shell (see the module docstring). ``read`` is ``input`` by default."""
    out = out or sys.stdout
    if read is input:
        _install_readline(Completer(con))
    print("GroupLake SQL (DuckDB over the Delta lake). End statements with ';'. .tables lists tables, "
          ".quit leaves; Ctrl-C clears the line, Tab completes.", file=out)
    buffer: list[str] = []
    while True:
        try:
            line = read("lake> " if not buffer else "  ..> ")
        except KeyboardInterrupt:
            buffer = []  # clear what was being typed; keep the shell
            print("^C", file=out)
            continue
        except EOFError:
            print(file=out)
            return
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            return
        if not buffer and stripped == ".tables":
            render(con, TABLES_SQL, OutputFormat.table, limit=0, out=out)
            continue
        if stripped:
            buffer.append(line)
        if stripped.endswith(";"):
            query = "\n".join(buffer)
            buffer = []
            try:
                render(con, query, fmt, limit=limit, out=out)
            except KeyboardInterrupt:
                print("query interrupted", file=out)
            except Exception as exc:  # noqa: BLE001 - a shell reports and goes on
                print(f"{type(exc).__name__}: {exc}", file=out)


def _install_readline(completer: Completer) -> None:
    try:
        import readline
    except ImportError:  # pragma: no cover - no readline on this platform
        return
    readline.set_completer(completer.complete)
    readline.set_completer_delims(" \t\n(),;=<>")
    readline.parse_and_bind("tab: complete")

