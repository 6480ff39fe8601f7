"""Idempotent steps ``grouplake setup`` (and so ``make setup``) runs after installing.

Each feature contributes a step by adding it to :data:`SETUP_STEPS` (imported explicitly).
Steps must be idempotent and quick when there is nothing to do.
"""

from __future__ import annotations

from rich.console import Console

from grouplake.dbt_setup import prepare_manifest
from infra.local_secrets import ensure_local_secrets
from infra.settings import get_settings
from transactional.migrations import upgrade_database


def setup_local_secrets() -> None:
    """Generate the token-signing and payment secrets of a ``local`` / ``ci`` home
    (idempotent; other profiles take real secrets from the environment)."""
    settings = get_settings()
    if settings.is_dev:
        ensure_local_secrets(settings.home)


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
