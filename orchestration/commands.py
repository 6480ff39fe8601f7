"""Top-level commands of ``grouplake`` that belong to orchestration: setup, run, up, docs."""

from __future__ import annotations

import typer


def setup() -> None:
    """Prepare a machine after install: run every registered setup step (idempotent)."""
    from orchestration.setup_steps import run_setup_steps

    run_setup_steps()


def register(app: typer.Typer) -> None:
    """Add the orchestration commands to the root app."""
    app.command("setup")(setup)
