"""``grouplake sql``: SQL over every Delta table of the lake (in-memory DuckDB).

Output and the interactive shell are :mod:`lake.shell`'s.
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
    from lake.sql import connect
    from lake.storage import LakeStorage

    if fmt is OutputFormat.parquet and output is None:
        typer.echo("error: --format parquet needs --output FILE", err=True)
        raise typer.Exit(2)
    con = connect(LakeStorage.from_settings(get_settings()))
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


def register(app: typer.Typer) -> None:
    """Add ``grouplake sql``."""
    app.command("sql")(sql)
