"""Deployment profiles: the one thing that differs between deployments of the same graph.

Every asset is the same everywhere; a profile says which resources the source assets get,
which extra assets the deployment has, what the transactional outbox ingest waits for, and
what to prepare before a run. Real sources get :func:`sources_profile` (plain resources on
the configured systems); the demo gets ``orchestration.demo.demo_profile`` (the demo group
stands in). ``orchestration.definitions`` picks one; nothing below it asks which.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import dagster as dg

from infra.settings import Settings
from orchestration.crm.resources import CrmResource
from orchestration.erp.assets import ErpResource
from orchestration.iot.assets import IotResource
from orchestration.wms.assets import WmsResource

#: Resource keys every profile binds (the source assets require them).
SOURCE_RESOURCE_KEYS = frozenset({"erp", "crm", "wms", "iot"})


def _nothing_to_prepare(settings: Settings, say: Callable[[str], None]) -> bool:
    return False


@dataclass(frozen=True)
class DeploymentProfile:
    """What a deployment binds into the graph.

    Attributes:
        name: ``sources`` or ``demo``.
        resources: the source resources by key (:data:`SOURCE_RESOURCE_KEYS`).
        assets: assets only this deployment has.
        outbox_after: assets the outbox ingest runs after (what fills the service here).
        prepare: called before an in-process run (``grouplake run``) with the settings and
            a function to report progress; returns whether it did anything.
    """

    name: str
    resources: Mapping[str, Any]
    assets: tuple[Any, ...] = ()
    outbox_after: tuple[dg.AssetKey, ...] = ()
    prepare: Callable[[Settings, Callable[[str], None]], bool] = field(default=_nothing_to_prepare)

    def __post_init__(self) -> None:
        missing = SOURCE_RESOURCE_KEYS - set(self.resources)
        if missing:
            raise ValueError(f"profile {self.name!r} binds no resource for {sorted(missing)}")


def sources_profile() -> DeploymentProfile:
    """The profile of a deployment on real source systems (the settings name them)."""
    return DeploymentProfile(
        name="sources",
        resources={"erp": ErpResource(), "crm": CrmResource(), "wms": WmsResource(), "iot": IotResource()},
    )
