"""``grouplake suppliers dedup INPUT.csv OUTPUT.csv``: deduplicate any supplier list.

Input columns ``record_id,name,uscc,city,phone,address,bank_account`` (only the first two are
required; names may be Chinese or any Latin-script language). Output
``record_id,supplier_key,golden_name``. Exit code 2 for bad input (unreadable file, missing
column, duplicate record ids).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

suppliers_app = typer.Typer(help="Supplier master data: deduplicate supplier lists.",
                            no_args_is_help=True)

EXIT_BAD_INPUT = 2


@suppliers_app.callback()
def _group() -> None:
    """Supplier master data: deduplicate supplier lists."""


@suppliers_app.command("dedup")
def dedup(
    input_csv: Annotated[Path, typer.Argument(help="CSV: record_id,name[,uscc,city,phone,address,bank_account]")],
    output_csv: Annotated[Path, typer.Argument(help="where to write record_id,supplier_key,golden_name")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress output")] = False,
) -> None:
    """Group the records of INPUT_CSV into companies and write one line per record."""
    import pandas as pd
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from infra.settings import get_settings
    from models.entity_resolution.resolve import resolve_suppliers

    err = Console(stderr=True)
    try:
        records = pd.read_csv(input_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        err.print(f"[red]error:[/red] input file not found: {input_csv}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, IsADirectoryError, OSError) as exc:
        err.print(f"[red]error:[/red] cannot read {input_csv} as UTF-8 CSV: {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    records.columns = [c.strip() for c in records.columns]
    missing = [c for c in ("record_id", "name") if c not in records.columns]
    if missing:
        err.print(f"[red]error:[/red] {input_csv} lacks required column(s): {', '.join(missing)} "
                  f"(found: {', '.join(records.columns) or 'none'})")
        raise typer.Exit(EXIT_BAD_INPUT)
    show = not quiet and len(records) >= 1000
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, disable=not show) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        try:
            res = resolve_suppliers(records, group_code=get_settings().group_code, progress=progress)
        except ValueError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
    out = res.source_records[["record_id", "supplier_key"]].merge(
        res.golden[["supplier_key", "golden_name"]], on="supplier_key", how="left")
    output_csv.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(output_csv, index=False, encoding="utf-8")
    if not quiet:
        s = res.stats
        err.print(f"{s['records']} records → {s['golden']} suppliers "
                  f"({s['pairs_compared']} pairs compared) → {output_csv}")
