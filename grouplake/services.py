"""The registry of long-running services, and the Dagster UI's own entry.

A feature adds a service by adding its provider to :data:`SERVICE_PROVIDERS` (a function
that takes the settings and returns an :class:`infra.services.ServiceSpec`); the ``demo``
target never changes. Providers are imported explicitly: a missing one is an import error.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Callable
from pathlib import Path

from infra.services import ServiceSpec
from infra.settings import Settings
from models.ml.service import service_spec as mlflow_service
from serving.service import service_spec as serving_service
from transactional.service import service_spec as transactional_service


def dagster_service(settings: Settings) -> ServiceSpec:
    """The Dagster UI and daemon (``dagster dev``) on the configured port."""
    host, port = settings.services.host, settings.services.dagster_port
    return ServiceSpec(
        name="dagster",
        command=[
            sys.executable, "-m", "dagster", "dev",
            "-m", "orchestration.definitions",
            "-h", host, "-p", str(port),
        ],
        port=port,
        host=host,
        health_url=f"http://{host}:{port}/server_info",
        urls={"Dagster UI": f"http://{host}:{port}"},
        env={"DAGSTER_HOME": str(settings.dagster_home)},
    )


def service_examples(settings: Settings, name: str) -> list[str]:
    """Example requests a run left for service ``name`` (``<demo dir>/examples/<name>.json``)."""
    path = Path(settings.demo.dir) / "examples" / f"{name}.json"
    if not path.exists():
        return []
    return list(json.loads(path.read_text(encoding="utf-8")).get("commands", []))


def registered_services(settings: Settings) -> list[ServiceSpec]:
    """Every registered service, with its examples."""
    specs = []
    for provider in SERVICE_PROVIDERS:
        spec = provider(settings)
        if isinstance(spec, dict):
            spec = ServiceSpec(**spec)
        if not spec.examples:
            spec = dataclasses.replace(spec, examples=service_examples(settings, spec.name))
        specs.append(spec)
    return specs


#: Every long-running service ``grouplake up`` starts, in start order.
SERVICE_PROVIDERS: tuple[Callable[[Settings], ServiceSpec | dict], ...] = (
    dagster_service,
    transactional_service,
    serving_service,
    mlflow_service,
)
