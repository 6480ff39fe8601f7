"""The demo deployment profile: the demo group (``demo/``) stands in for the source systems.

Dagster wiring only: resources that generate the demo group on first use and serve its
CRM (``resources.py``), the platform seed asset (``assets.py``), and :func:`demo_profile`,
which ``orchestration.definitions`` binds when no source system is configured.
"""

from __future__ import annotations

from demo.sources import ensure_demo_sources
from orchestration.demo.assets import SEED_KEY, platform_demo_seed
from orchestration.demo.resources import (
    DemoCrmResource,
    DemoErpResource,
    DemoIotResource,
    DemoWmsResource,
)
from orchestration.profile import DeploymentProfile


def demo_profile() -> DeploymentProfile:
    """The demo group's sources, its platform seed before the outbox ingest, and the group
    generated before a run (and said so)."""
    return DeploymentProfile(
        name="demo",
        resources={"erp": DemoErpResource(), "crm": DemoCrmResource(), "wms": DemoWmsResource(),
                   "iot": DemoIotResource()},
        assets=(platform_demo_seed,),
        outbox_after=(SEED_KEY,),
        prepare=ensure_demo_sources,
    )
