"""The registry of long-running services, and the Dagster UI's own entry.

A feature adds a service by adding its ``"module:function"`` to :data:`SERVICE_PROVIDERS`
(the function takes the settings and returns an :class:`infra.services.ServiceSpec`); the
``demo`` target never changes. Providers whose module does not exist are skipped.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from pathlib import Path

from infra.plugins import module_exists
from infra.services import ServiceSpec
from infra.settings import Settings

SERVICE_PROVIDERS: tuple[str, ...] = (
    "orchestration.services:dagster_service",
    "transactional.service:service_spec",
    "serving.service:service_spec",
    "models.ml.service:service_spec",
)


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
    """Every registered service whose provider module is present, with its examples."""
    specs = []
    for provider in SERVICE_PROVIDERS:
        module_name, func_name = provider.split(":")
        if not module_exists(module_name):
            continue
        spec = getattr(importlib.import_module(module_name), func_name)(settings)
        if isinstance(spec, dict):
            spec = ServiceSpec(**spec)
        if not spec.examples:
            spec = dataclasses.replace(spec, examples=service_examples(settings, spec.name))
        specs.append(spec)
    return specs
