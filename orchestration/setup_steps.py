"""Idempotent steps ``grouplake setup`` (and so ``make setup``) runs after installing.

Each feature contributes a step by adding ``"module:function"`` to :data:`SETUP_STEPS`; a step
whose module does not exist yet is skipped. Steps must be idempotent and quick when there is
nothing to do.
"""

from __future__ import annotations

import importlib

from rich.console import Console

from infra.plugins import module_exists

SETUP_STEPS: tuple[str, ...] = (
    "orchestration.dbt_setup:prepare_manifest",
    "transactional.migrations:upgrade_database",
)


def run_setup_steps() -> None:
    """Run every registered setup step whose module exists."""
    console = Console(stderr=True)
    for spec in SETUP_STEPS:
        module_name, func_name = spec.split(":")
        if not module_exists(module_name):
            continue
        console.print(f"[bold]setup[/bold] {spec}")
        getattr(importlib.import_module(module_name), func_name)()
