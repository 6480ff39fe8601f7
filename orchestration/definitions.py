"""The one Dagster entry point: ``dagster dev -m orchestration.definitions``.

Leaves declare, this module composes: each component package (``orchestration.erp``,
``orchestration.crm`` …) exposes ``defs`` or a ``build_*_defs()`` function, imported here
explicitly (a missing component is an import error, never a silently smaller graph).
"""

from __future__ import annotations

import dagster as dg

from orchestration import crm, erp, iot, ml, tx, wms
from orchestration.dbt.definitions import build_dbt_defs
from orchestration.gold.definitions import build_gold_defs
from orchestration.progress import progress_logger
from orchestration.quality.definitions import build_quality_defs
from orchestration.resources import LakeResource
from orchestration.serving.assets import build_serving_defs

#: The sources whose bronze assets this deployment ingests (their suites are registered).
BRONZE_SOURCES = frozenset({"erp", "crm", "wms", "iot", "tx"})

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


def build_definitions() -> dg.Definitions:
    """Compose every component with the shared resources, the daily job and schedule."""
    core = dg.Definitions(
        resources={"lake": LakeResource()},
        jobs=[all_assets_job],
        schedules=[daily_schedule],
        executor=dg.multiprocess_executor.configured({"max_concurrent": 2}),
        loggers={"console": dg.colored_console_logger, "progress": progress_logger},
    )
    return dg.Definitions.merge(
        core, erp.defs, crm.defs, wms.defs, iot.defs, tx.defs,
        build_dbt_defs(), build_gold_defs(), build_quality_defs(BRONZE_SOURCES), ml.defs,
        build_serving_defs(),
    )


defs = build_definitions()
