"""Top-level commands of ``grouplake`` that belong to orchestration: setup, run, up, docs."""

from __future__ import annotations

import typer


def setup() -> None:
    """Prepare a machine after install: run every registered setup step (idempotent)."""
    from grouplake.setup_steps import run_setup_steps

    run_setup_steps()


def run(
    select: str = typer.Option(None, "--select", help="Dagster asset selection, e.g. 'key:bronze/erp/*'"),
) -> None:
    """Materialize the whole asset graph once, in-process (demo group unless sources are set)."""
    from grouplake.run import print_summary, run_graph

    outcome = run_graph(select)
    print_summary(outcome)
    raise typer.Exit(0 if outcome.success else 1)


def up() -> None:
    """Start every registered service (Dagster UI, APIs, MLflow UI); Ctrl-C stops them all."""
    from pathlib import Path

    from rich.console import Console

    from grouplake.dagster_home import prepare_dagster_home
    from grouplake.services import registered_services
    from grouplake.up import PortBusyError, run_services
    from infra.settings import get_settings

    console = Console()
    settings = get_settings()
    prepare_dagster_home(settings)
    specs = registered_services(settings)
    try:
        run_services(
            specs,
            log_dir=settings.home / "logs",
            cwd=Path.cwd(),
            health_timeout_s=settings.services.health_timeout_s,
            console=console,
        )
    except PortBusyError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except RuntimeError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None


def dagster_home() -> None:
    """Write ``$DAGSTER_HOME/dagster.yaml`` from settings (PostgreSQL storage with
    ``DAGSTER__POSTGRES_URL``); the deployed webserver and daemon run it before starting."""
    from grouplake.dagster_home import prepare_dagster_home
    from infra.settings import get_settings

    typer.echo(f"Dagster instance at {prepare_dagster_home(get_settings())}")


def register(app: typer.Typer) -> None:
    """Add the orchestration commands to the root app."""
    app.command("setup")(setup)
    app.command("run")(run)
    app.command("up")(up)
    app.command("dagster-home")(dagster_home)
    from grouplake.docs import docs

    app.command("docs")(docs)
