"""Setup step (``grouplake setup``): parse the dbt project so Dagster can load its assets.

Idempotent and quick when nothing changed: the manifest is re-parsed only when a project
file or the dbt version changed since the last parse (a SHA-256 over the project files).
"""

from __future__ import annotations


def prepare_manifest() -> None:
    """Make ``dbt_project/target/manifest.json`` current (``dbt parse`` when stale)."""
    from rich.console import Console

    from dbt_project.runner import manifest_is_current, parse_manifest
    from infra.settings import get_settings

    settings = get_settings()
    if manifest_is_current(settings):
        Console(stderr=True).print("  dbt manifest is up to date")
        return
    path = parse_manifest(settings)
    Console(stderr=True).print(f"  dbt manifest parsed: {path}")
