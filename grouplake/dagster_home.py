"""Prepare ``DAGSTER_HOME`` so the CLI, ``dagster dev`` and tests share one instance."""

from __future__ import annotations

import os
from pathlib import Path

from infra.settings import Settings

_DAGSTER_YAML = """\
telemetry:
  enabled: false
"""


def prepare_dagster_home(settings: Settings) -> Path:
    """Create the Dagster home with its ``dagster.yaml`` and export ``DAGSTER_HOME``."""
    home = settings.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(_DAGSTER_YAML)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
