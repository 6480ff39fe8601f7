"""The dbt component: every dbt model an asset, every dbt test an asset check.

The manifest is parsed on first use when missing or stale (``grouplake setup`` parses it
ahead of time: :func:`grouplake.dbt_setup.prepare_manifest`).
"""

from __future__ import annotations

import dagster as dg
from dagster_dbt import DbtCliResource

from dbt_project.runner import dbt_executable, parse_manifest, project_dir
from infra.settings import get_settings
from orchestration.dbt.assets import build_dbt_assets


def dbt_resource() -> DbtCliResource:
    """The dbt CLI resource on GroupLake's project (profiles.yml lives in the project)."""
    settings = get_settings()
    root = str(project_dir(settings))
    return DbtCliResource(
        project_dir=root, profiles_dir=root, target=settings.dbt.target,
        dbt_executable=dbt_executable(),
    )


def build_dbt_defs() -> dg.Definitions:
    """Definitions of the dbt component (parses the project first if needed)."""
    settings = get_settings()
    manifest = parse_manifest(settings)
    return dg.Definitions(assets=[build_dbt_assets(manifest)], resources={"dbt": dbt_resource()})
