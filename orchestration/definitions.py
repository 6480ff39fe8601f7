"""The one Dagster entry point: ``dagster dev -m orchestration.definitions``.

Leaves declare, this module composes: each component package (``orchestration.erp``,
``orchestration.crm`` …) exposes ``defs`` or a ``build_*_defs()`` function, imported here
explicitly (a missing component is an import error, never a silently smaller graph). The
deployment profile (:mod:`orchestration.profile`) binds the source resources: the demo
profile when no source system is configured, the plain resources otherwise. This is the
only place that asks.

The definitions are built when Dagster loads them (``@dg.definitions``), not at import:
building reads the settings and parses the dbt manifest.
"""

from __future__ import annotations

import dagster as dg

from infra.settings import Settings, get_settings
from orchestration import crm, erp, iot, ml, risk, wms
from orchestration.dbt.definitions import build_dbt_defs
from orchestration.decisions.benefits import build_benefits_defs
from orchestration.decisions.definitions import build_decisions_defs
from orchestration.demo import demo_profile
from orchestration.gold.definitions import build_gold_defs
from orchestration.profile import DeploymentProfile, sources_profile
from orchestration.quality.definitions import build_quality_defs
from orchestration.resources import LakeResource
from orchestration.serving.assets import build_serving_defs
from orchestration.tx import build_tx_defs

#: The sources whose bronze assets this deployment ingests (their suites are registered).
BRONZE_SOURCES = frozenset({"erp", "crm", "wms", "iot", "tx"})

all_assets_job = dg.define_asset_job(
    "daily_refresh_job",
    selection=dg.AssetSelection.all(),
    description="Ingest every source, build the governed models, publish gold, refresh serving.",
    # the same executor as `grouplake run`: one process, no per-step interpreter start-up
    # (the multiprocess default re-imported Dagster, dbt and pandas for each of ~150 steps)
    executor_def=dg.in_process_executor,
)

daily_schedule = dg.ScheduleDefinition(
    name="daily_schedule",
    job=all_assets_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The whole graph once a day at 02:00 UTC.",
)


def deployment_profile(settings: Settings) -> DeploymentProfile:
    """The demo profile when no source system is configured, else the real sources."""
    return demo_profile() if settings.uses_demo_sources else sources_profile()


def build_definitions(profile: DeploymentProfile | None = None) -> dg.Definitions:
    """Compose every component with the profile's resources, the daily job and schedule.

    Args:
        profile: the deployment profile (default: :func:`deployment_profile` of the settings).
    """
    profile = profile or deployment_profile(get_settings())
    core = dg.Definitions(
        assets=list(profile.assets),
        resources={"lake": LakeResource(), **profile.resources},
        jobs=[all_assets_job],
        schedules=[daily_schedule],
        executor=dg.multiprocess_executor.configured({"max_concurrent": 2}),
        loggers={"console": dg.colored_console_logger},
    )
    return dg.Definitions.merge(
        core, erp.defs, crm.defs, wms.defs, iot.defs, build_tx_defs(profile.outbox_after),
        build_dbt_defs(), build_gold_defs(), build_quality_defs(BRONZE_SOURCES), ml.defs, risk.defs,
        build_serving_defs(), build_benefits_defs(), build_decisions_defs(),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """What ``dagster dev -m orchestration.definitions`` loads."""
    return build_definitions()
