"""``grouplake expectations``: list and run the suites, build Data Docs, accept a baseline.

``data-docs`` validates every applicable suite against the current lake and dbt file
(observing only: baselines do not move) and renders Great Expectations Data Docs under
``<home>/expectations/gx/uncommitted/data_docs``. ``accept`` records the current data as a
suite's baseline after a person reviewed a failure (e.g. new quarantined sales rows).
"""

from __future__ import annotations

from typing import Annotated

import typer

expectations_app = typer.Typer(help="Great Expectations suites: run them, build Data Docs, accept baselines.",
                               no_args_is_help=True)


def _applicable_suites(names: list[str] | None = None) -> list:
    from expectations.data import suite_data
    from expectations.suite import applicable
    from expectations.suites import ALL_SUITES, get_suite
    from infra.settings import get_settings

    suites = [get_suite(n) for n in names] if names else list(ALL_SUITES)
    with suite_data(get_settings()) as data:
        return [s for s in suites if applicable(s, data)]


@expectations_app.command("list")
def list_suites() -> None:
    """Every suite, the assets it checks and what it guarantees."""
    from rich.console import Console
    from rich.table import Table

    from expectations.suites import ALL_SUITES

    table = Table(title="expectation suites (blocking asset checks gx_<suite>)")
    for column in ("suite", "checks", "guarantees"):
        table.add_column(column)
    for suite in ALL_SUITES:
        table.add_row(suite.name, "\n".join("/".join(a) for a in suite.assets), suite.description)
    Console().print(table)


@expectations_app.command("run")
def run(
    suites: Annotated[list[str] | None, typer.Argument(help="suite names (default: every applicable suite)")] = None,
    update_baseline: bool = typer.Option(False, "--update-baseline", help="record baselines of passing suites"),
) -> None:
    """Validate suites now and print what failed; exit 1 if any suite failed."""
    from rich.console import Console

    from expectations.suite import run_suite
    from infra.settings import get_settings

    console = Console()
    ok = True
    for suite in _applicable_suites(suites):
        outcome = run_suite(suite, get_settings(), update_baseline=update_baseline)
        ok &= outcome.success
        colour = "green" if outcome.success else "red"
        console.print(f"[{colour}]{outcome.summary()}[/{colour}]")
        for failure in outcome.failures():
            console.print(f"  [red]✗[/red] {failure}")
    raise typer.Exit(0 if ok else 1)


@expectations_app.command("data-docs")
def data_docs(
    validate: bool = typer.Option(True, "--validate/--no-validate",
                                  help="validate every suite first (observing only)"),
) -> None:
    """Build Great Expectations Data Docs under the GroupLake home; print the index path."""
    from rich.console import Console

    from expectations.gx_context import get_context, gx_lock
    from expectations.suite import run_suite
    from infra.settings import get_settings

    console = Console()
    settings = get_settings()
    if validate:
        for suite in _applicable_suites():
            try:
                outcome = run_suite(suite, settings, update_baseline=False)
            except FileNotFoundError as exc:
                console.print(f"[yellow]{suite.name}: skipped ({exc})[/yellow]")
                continue
            console.print(outcome.summary())
    with gx_lock(settings.home):
        context = get_context(settings.home)
        context.build_data_docs()
        sites = context.get_docs_sites_urls()
    for site in sites:
        console.print(f"Data Docs: [bold]{site['site_url']}[/bold]")


@expectations_app.command("accept")
def accept(suite_name: str = typer.Argument(..., help="the suite whose current data becomes its baseline")) -> None:
    """Accept the current data as a suite's baseline (after reviewing why it failed)."""
    from rich.console import Console

    from expectations.accept import accept_current

    state = accept_current(suite_name)
    Console().print(f"{suite_name}: baseline recorded ({', '.join(k for k in state if not k.startswith('_'))})")


def register(app: typer.Typer) -> None:
    """Add ``grouplake expectations`` to the root app."""
    app.add_typer(expectations_app, name="expectations")
