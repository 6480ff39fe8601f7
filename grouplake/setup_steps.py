"""Idempotent steps ``grouplake setup`` (and so ``make setup``) runs after installing.

Each feature contributes a step by adding it to :data:`SETUP_STEPS` (imported explicitly).
Steps must be idempotent and quick when there is nothing to do.
"""

from __future__ import annotations

from rich.console import Console

from grouplake.dbt_setup import prepare_manifest
from infra.local_secrets import setup_local_secrets
from transactional.migrations import upgrade_database

#: (name shown to the user, step), in order.
SETUP_STEPS = (
    ("local secrets (token signing, payment callbacks)", setup_local_secrets),
    ("dbt manifest", prepare_manifest),
    ("transactional database migrations", upgrade_database),
)


def run_setup_steps() -> None:
    """Run every registered setup step."""
    console = Console(stderr=True)
    for name, step in SETUP_STEPS:
        console.print(f"[bold]setup[/bold] {name}")
        step()
