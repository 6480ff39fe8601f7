"""``grouplake sql``: SQL over every Delta table of the lake (in-memory DuckDB), its output and
shell in :mod:`lake.shell`; ``grouplake lake repair``: rewrite a table's files to its declared
column types.
"""

from __future__ import annotations

from pathlib import Path

import typer

from lake.shell import OutputFormat


def sql(
    query: str = typer.Argument(None, help="SQL to run; omit for an interactive shell"),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f",
                                     help="table, csv, json or parquet (with --output)"),
    limit: int = typer.Option(None, "--limit", "-n", min=0,
                              help="rows to show (table default 100, csv/json default all; 0: all)"),
    output: Path = typer.Option(None, "--output", "-o", help="write the result to this file"),
) -> None:
    """Query the lake with SQL (in-memory DuckDB; tables as <layer>.<source>__<entity>)."""
    from infra.settings import get_settings
    from lake.shell import render, run_shell
    from lake.sql import connect, tables_read_by

    if fmt is OutputFormat.parquet and output is None:
        typer.echo("error: --format parquet needs --output FILE", err=True)
        raise typer.Exit(2)
    # one query opens only the tables it reads (start-up: `select 1` opens none); the shell all
    names = None if query is None else tables_read_by(query)
    if names is not None and not names:
        con = connect(None, names=names)
    else:
        from lake.storage import LakeStorage

        con = connect(LakeStorage.from_settings(get_settings()), names=names)
    if query is None:
        run_shell(con, fmt, limit=limit)
        return
    try:
        count = render(con, query, fmt, limit=limit, output=output)
    except Exception as exc:  # noqa: BLE001 - turn any SQL error into a clean message
        typer.echo(f"error: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None
    if output is not None:
        typer.echo(f"{count:,} row(s) written to {output}", err=True)


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
