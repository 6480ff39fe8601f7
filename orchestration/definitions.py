"""The one Dagster entry point: ``dagster dev -m orchestration.definitions``.

Leaves declare, this module composes. Each component package (``orchestration.erp``,
``orchestration.crm`` …) exposes ``defs``; a package that does not exist yet is skipped, so
features land by adding their package to :data:`COMPONENTS`.
"""

from __future__ import annotations

import importlib

import dagster as dg

from infra.plugins import module_exists
from orchestration.progress import progress_logger
from orchestration.resources import LakeResource

#: Component packages, each exposing ``defs: dagster.Definitions``.
COMPONENTS = (
    "orchestration.erp",
    "orchestration.crm",
    "orchestration.wms",
    "orchestration.iot",
    "orchestration.tx",
    "orchestration.dbt",
    "orchestration.gold",
    "orchestration.quality",
    "orchestration.ml",
    "orchestration.serving",
)

all_assets_job = dg.define_asset_job(
    "daily_refresh_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every source, build the governed models, publish gold, refresh serving.",
)

daily_schedule = dg.ScheduleDefinition(
    name="daily_schedule",
    job=all_assets_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The whole graph once a day at 02:00 UTC.",
)


def _component_defs() -> list[dg.Definitions]:
    found = []
    for name in COMPONENTS:
        if not module_exists(name):
            continue
        found.append(importlib.import_module(name).defs)
    return found


def build_definitions() -> dg.Definitions:
    """Compose every component with the shared resources, the daily job and schedule."""
    core = dg.Definitions(
        resources={"lake": LakeResource()},
        jobs=[all_assets_job],
        schedules=[daily_schedule],
        executor=dg.multiprocess_executor.configured({"max_concurrent": 2}),
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )
    return dg.Definitions.merge(core, *_component_defs())


defs = build_definitions()
