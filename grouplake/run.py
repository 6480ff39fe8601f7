"""``grouplake run``: materialize the whole asset graph once, in-process, with a summary.

The run is a real Dagster run recorded in ``DAGSTER_HOME`` (it shows in the UI), executed
in this process so a newcomer sees progress live (:mod:`grouplake.progress`). The
deployment profile prepares first: the demo profile generates the demo group on the first
run and says so. The exit code is non-zero when any step, blocking check or isolating check
(a check on a bronze table) failed. A failing check on a bronze table leaves out only what
reads that table; the summary names the gold marts that stayed stale and the check why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

from grouplake.progress import RunLedger, progress_logger, start_ledger


@dataclass
class RunOutcome:
    """The result of :func:`run_graph`."""

    success: bool
    ledger: RunLedger
    seconds: float
    run_id: str
    stale: dict[str, list[str]] = field(default_factory=dict)  # gold asset -> failed checks upstream


def run_graph(selection: str | None = None, console: Console | None = None) -> RunOutcome:
    """Materialize every asset (or ``selection``, a Dagster selection string) once.

    Args:
        selection: e.g. ``"key:bronze/erp/*"``; ``None`` runs the whole graph.
        console: where progress goes (stderr by default).

    Returns:
        A :class:`RunOutcome` (``success`` is False if any step or blocking check failed).
    """
    import dagster as dg

    from grouplake.dagster_home import prepare_dagster_home
    from infra.settings import get_settings
    from orchestration.definitions import build_definitions, deployment_profile

    console = console or Console(stderr=True)
    settings = get_settings()
    prepare_dagster_home(settings)
    started = time.perf_counter()
    profile = deployment_profile(settings)
    profile.prepare(settings, lambda msg: console.print(f"[bold]{msg}[/bold]"))
    defs = dg.Definitions.merge(
        build_definitions(profile), dg.Definitions(loggers={"progress": progress_logger}))

    job = defs.resolve_implicit_global_asset_job_def()
    ledger = start_ledger()
    asset_selection = None
    if selection:
        asset_graph = defs.resolve_asset_graph()
        asset_selection = dg.AssetSelection.from_string(selection).resolve(asset_graph)
    result = job.execute_in_process(
        instance=dg.DagsterInstance.get(),
        raise_on_error=False,
        asset_selection=list(asset_selection) if asset_selection is not None else None,
        run_config={"loggers": {"progress": {}}},
    )
    from orchestration.quality.isolation import is_isolating, stale_downstream

    graph = defs.resolve_asset_graph()
    isolating = [(dg.AssetKey(asset.split("/")), check) for asset, check, _sev, _blk in ledger.failed_checks
                 if is_isolating(graph, dg.AssetKey(asset.split("/")), check)]
    blocking_failed = any(blocking for *_rest, blocking in ledger.failed_checks)
    return RunOutcome(
        success=result.success and not ledger.step_failures and not blocking_failed and not isolating,
        ledger=ledger,
        seconds=time.perf_counter() - started,
        run_id=result.run_id,
        stale={key.to_user_string(): why for key, why in stale_downstream(graph, isolating).items()},
    )


def print_summary(outcome: RunOutcome, console: Console | None = None) -> None:
    """Rows per table, quarantined rows, time per step, failures."""
    console = console or Console()
    ledger = outcome.ledger
    table = Table(title="grouplake run: materialized assets", show_lines=False)
    table.add_column("asset", overflow="fold")  # long keys wrap; figures are never cut
    for column in ("rows", "new", "updated", "quarantined", "s"):
        table.add_column(column, justify="right", no_wrap=True, min_width=len(column))
    step_seconds = {k.replace("__", "/"): v for k, v in ledger.step_seconds.items()}
    total_quarantined = 0
    for key in sorted(ledger.materializations):
        meta = ledger.materializations[key]
        quarantined = meta.get("rows_quarantined", "")
        if isinstance(quarantined, int):
            total_quarantined += quarantined
        table.add_row(
            key,
            str(meta.get("dagster/row_count", "")),
            str(meta.get("rows_inserted", "")),
            str(meta.get("rows_updated", "")),
            str(quarantined),
            f"{step_seconds.get(key, ledger.step_seconds.get(key, 0.0)):.1f}",
        )
    console.print(table)
    if total_quarantined:
        console.print(
            f"[yellow]{total_quarantined} row(s) quarantined this run[/yellow] — "
            "see them with: grouplake sql \"select source, entity, reason, raw_record "
            "from bronze.quarantine order by quarantined_at desc limit 20\""
        )
    for asset, check, severity, blocking in ledger.failed_checks:
        console.print(
            f"[{'red' if blocking else 'yellow'}]check failed[/]: {asset} {check} ({severity}"
            f"{', blocking' if blocking else ''})"
        )
    if outcome.stale:
        console.print("[yellow]stale[/yellow] (previous gold version kept; left out because a check "
                      "upstream failed — fix the data or the check, then run again):")
        for mart, why in outcome.stale.items():
            console.print(f"  {mart} <- {', '.join(why)}")
    for step, message in ledger.step_failures.items():
        console.print(f"[red]step failed[/red]: {step}: {message[:300]}")
    if ledger.skipped:
        console.print(f"[yellow]skipped[/yellow]: {', '.join(ledger.skipped)}")
    status = "[green]succeeded[/green]" if outcome.success else "[red]FAILED[/red]"
    console.print(f"run {outcome.run_id} {status} in {outcome.seconds:.1f}s")
