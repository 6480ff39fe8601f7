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


review_app = typer.Typer(help="The data steward's review queue of uncertain supplier pairs.",
                         no_args_is_help=True)
suppliers_app.add_typer(review_app, name="review")


def _storage_and_settings():
    from infra.settings import get_settings
    from lake.storage import LakeStorage

    settings = get_settings()
    return LakeStorage.from_settings(settings), settings.suppliers


@review_app.command("list")
def review_list(
    input_csv: Annotated[Path | None, typer.Argument(
        help="a supplier CSV to resolve now (as for dedup); default: the queue of the last pipeline run")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="most pairs shown")] = 50,
    output_csv: Annotated[Path | None, typer.Option("--output", "-o", help="write the queue as CSV")] = None,
) -> None:
    """Pairs waiting for a decision, most uncertain first (probability in the review band)."""
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    from models.entity_resolution.steward_store import read_decisions, read_queue

    err = Console(stderr=True)
    storage, cfg = _storage_and_settings()
    decisions = read_decisions(storage, cfg.decisions_table)
    if input_csv is None:
        queue = read_queue(storage, cfg.review_queue_table)
        if len(decisions):  # decided since the last run: not waiting any more
            from models.entity_resolution.review import latest_decisions

            d = latest_decisions(decisions)
            decided = set(zip(d["left_record_id"], d["right_record_id"], strict=True))
            queue = queue[[(a, b) not in decided for a, b in
                           zip(queue["left_record_id"], queue["right_record_id"], strict=True)]]
    else:
        from models.entity_resolution.resolve import resolve_suppliers

        try:
            records = pd.read_csv(input_csv, dtype=str, keep_default_na=False, encoding="utf-8-sig")
            res = resolve_suppliers(records, decisions=decisions)
        except (FileNotFoundError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
                IsADirectoryError, ValueError) as exc:
            err.print(f"[red]error:[/red] {input_csv}: {exc}")
            raise typer.Exit(EXIT_BAD_INPUT) from None
        queue = res.review_queue(low=cfg.review_low, high=cfg.review_high, limit=cfg.review_limit,
                                 decisions=decisions)
    queue = queue.head(limit)
    if output_csv is not None:
        queue.to_csv(output_csv, index=False, encoding="utf-8")
    table = Table("left", "right", "p", "left name", "right name", "now")
    for r in queue.itertuples():
        table.add_row(r.left_record_id, r.right_record_id, f"{r.probability:.2f}", r.left_name, r.right_name,
                      "same supplier" if r.same_supplier else "apart")
    Console().print(table)
    err.print(f"{len(queue)} pair(s) waiting; decide with: grouplake suppliers review decide LEFT RIGHT "
              "--must-link|--cannot-link --by NAME")


@review_app.command("decide")
def review_decide(
    left: Annotated[str, typer.Argument(help="record_id of one record")],
    right: Annotated[str, typer.Argument(help="record_id of the other")],
    must_link: Annotated[bool, typer.Option("--must-link", help="they are one company")] = False,
    cannot_link: Annotated[bool, typer.Option("--cannot-link", help="they are different companies")] = False,
    by: Annotated[str, typer.Option("--by", help="the deciding steward")] = "",
    note: Annotated[str, typer.Option(help="why (kept with the decision)")] = "",
) -> None:
    """Record a steward's decision; every later supplier-master run applies it."""
    from rich.console import Console

    from models.entity_resolution.review import CANNOT_LINK, MUST_LINK, new_decision
    from models.entity_resolution.steward_store import append_decision

    err = Console(stderr=True)
    if must_link == cannot_link:
        err.print("[red]error:[/red] give exactly one of --must-link and --cannot-link")
        raise typer.Exit(EXIT_BAD_INPUT)
    try:
        decision = new_decision(left, right, MUST_LINK if must_link else CANNOT_LINK, by, note)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BAD_INPUT) from None
    storage, cfg = _storage_and_settings()
    version = append_decision(storage, cfg.decisions_table, decision)
    err.print(f"{decision['decision']} {decision['left_record_id']} ~ {decision['right_record_id']} "
              f"by {decision['decided_by']} (decision log version {version})")
