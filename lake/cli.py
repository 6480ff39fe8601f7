"""``grouplake sql``: SQL over every Delta table of the lake (in-memory DuckDB);
``grouplake lake repair``: rewrite a table's files to its declared column types."""

from __future__ import annotations

import sys
from enum import Enum

import typer


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _print_result(con, query: str, fmt: OutputFormat) -> None:
    import json

    from rich.console import Console
    from rich.table import Table

    relation = con.sql(query)
    if relation is None:  # DDL / SET statements
        return
    columns = relation.columns
    rows = relation.fetchall()
    if fmt is OutputFormat.csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt is OutputFormat.json:
        print(json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, default=str, indent=1))
    else:
        table = Table(show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            table.add_row(*("NULL" if v is None else str(v) for v in r))
        console = Console()
        console.print(table)
        console.print(f"[dim]{len(rows)} row(s)[/dim]")


def _shell(con, fmt: OutputFormat) -> None:
    try:
        import readline  # noqa: F401  (history and line editing)
    except ImportError:  # pragma: no cover
        pass
    from rich.console import Console

    console = Console()
    console.print("GroupLake SQL (DuckDB over the Delta lake). End statements with ';'. "
                  "[bold].tables[/bold] lists tables, [bold].quit[/bold] leaves.")
    buffer: list[str] = []
    while True:
        try:
            line = input("lake> " if not buffer else "  ..> ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            return
        if not buffer and stripped == ".tables":
            _print_result(con, "select table_schema || '.' || table_name as name from information_schema.tables "
                          "where table_schema in ('bronze','silver','gold') order by 1", fmt)
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            query = "\n".join(buffer)
            buffer = []
            try:
                _print_result(con, query, fmt)
            except Exception as exc:  # noqa: BLE001 - a shell reports and goes on
                console.print(f"[red]{type(exc).__name__}: {exc}[/red]")


def sql(
    query: str = typer.Argument(None, help="SQL to run; omit for an interactive shell"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="table, csv or json"),
) -> None:
    """Query the lake with SQL (in-memory DuckDB; tables as <layer>.<source>__<entity>)."""
    from infra.settings import get_settings
    from lake.sql import connect
    from lake.storage import LakeStorage

    con = connect(LakeStorage.from_settings(get_settings()))
    if query is None:
        _shell(con, fmt)
        return
    try:
        _print_result(con, query, fmt)
    except Exception as exc:  # noqa: BLE001 - turn any SQL error into a clean message
        typer.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None


lake_app = typer.Typer(help="The lake's Delta tables: maintenance.", no_args_is_help=True)


@lake_app.command("repair")
def repair(
    table: str = typer.Argument(None, help="SQL name (bronze.wms__movements) or path (bronze/wms/movements); "
                                           "omit for every table"),
) -> None:
    """Rewrite a table's files whose column types drift from its declared schema (string_view
    files a Delta MERGE wrote), in one Delta transaction per table; the rows stay the same and
    time travel keeps the previous version. A table without drifted files is left alone."""
    from infra.settings import get_settings
    from lake.conform import repair_table
    from lake.sql import discover_tables
    from lake.storage import LakeStorage

    storage = LakeStorage.from_settings(get_settings())
    tables = discover_tables(storage)
    if table is not None:
        tables = [t for t in tables if table in (t.sql_name, t.relative_path, t.relative_path.rstrip("/"))]
        if not tables:
            typer.echo(f"error: no lake table {table!r} (see `grouplake sql` .tables)", err=True)
            raise typer.Exit(2)
    for found in tables:
        result = repair_table(storage, found.relative_path)
        if result.version is None:
            typer.echo(f"{found.sql_name}: every file holds the declared types")
        else:
            typer.echo(f"{found.sql_name}: rewrote {result.files} file(s), {result.rows} row(s), "
                       f"columns {', '.join(result.columns)} -> version {result.version}")


def register(app: typer.Typer) -> None:
    """Add ``grouplake sql`` and ``grouplake lake``."""
    app.command("sql")(sql)
    app.add_typer(lake_app, name="lake")
