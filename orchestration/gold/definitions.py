"""Definitions of the gold component: :func:`~orchestration.gold.publish.publish_mart` for
every mart the dbt project flags ``meta.grouplake.publish`` (see :mod:`dbt_project.marts`)."""

from __future__ import annotations

import dagster as dg

from dbt_project.marts import load_manifest, published_marts
from dbt_project.runner import parse_manifest
from infra.settings import get_settings
from orchestration.gold.publish import publish_mart


def build_gold_defs() -> dg.Definitions:
    """One gold asset per published mart."""
    manifest = load_manifest(parse_manifest(get_settings()))
    return dg.Definitions(assets=[publish_mart(spec) for spec in published_marts(manifest)])
