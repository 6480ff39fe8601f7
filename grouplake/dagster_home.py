"""Prepare ``DAGSTER_HOME`` so the CLI, ``dagster dev``, the deployed webserver / daemon and
tests share one instance, its ``dagster.yaml`` written from settings (``DAGSTER__*``).

Storage is SQLite files under ``DAGSTER_HOME`` by default (one host) and PostgreSQL
(``dagster-postgres``) when ``DAGSTER__POSTGRES_URL`` is set; the URL is referenced from the
environment (``postgres_url: {env: DAGSTER__POSTGRES_URL}``), so no password lands in the file.
A ``dagster.yaml`` GroupLake did not write is left alone (a hand-managed instance).
"""

from __future__ import annotations

import os
from pathlib import Path

from infra.settings import Settings

#: First line of every ``dagster.yaml`` GroupLake writes (it rewrites only those).
GENERATED_MARK = "# written by GroupLake from settings (DAGSTER__*); edits are overwritten"
#: The file earlier versions wrote (still rewritten).
_LEGACY_YAML = "telemetry:\n  enabled: false\n"
#: The environment variable dagster.yaml reads the PostgreSQL URL from.
POSTGRES_URL_ENV = "DAGSTER__POSTGRES_URL"


def render_dagster_yaml(settings: Settings) -> str:
    """The instance configuration for ``settings`` (pure: nothing is read or written).

    Example:
        >>> from infra.settings import isolated_settings
        >>> "postgres" in render_dagster_yaml(isolated_settings("/tmp/x"))
        False
    """
    lines = [GENERATED_MARK, "telemetry:", "  enabled: false"]
    if settings.dagster.postgres_url is not None:
        lines += ["storage:", "  postgres:", "    postgres_url:", f"      env: {POSTGRES_URL_ENV}"]
    if settings.dagster.max_concurrent_runs > 0:
        lines += ["run_coordinator:", "  module: dagster.core.run_coordinator",
                  "  class: QueuedRunCoordinator", "  config:",
                  f"    max_concurrent_runs: {settings.dagster.max_concurrent_runs}"]
    return "\n".join(lines) + "\n"


def prepare_dagster_home(settings: Settings) -> Path:
    """Create the Dagster home with its ``dagster.yaml`` and export ``DAGSTER_HOME`` (and
    ``DAGSTER__POSTGRES_URL`` when it came from ``.env``, for Dagster and child processes)."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    wanted = render_dagster_yaml(settings)
    current = config.read_text(encoding="utf-8") if config.exists() else None
    ours = current is None or current == _LEGACY_YAML or current.startswith(GENERATED_MARK)
    if ours and current != wanted:
        config.write_text(wanted, encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    if settings.dagster.postgres_url is not None:
        os.environ.setdefault(POSTGRES_URL_ENV, settings.dagster.postgres_url.get_secret_value())
    return home
