"""The demo profile's source resources: the plain resources, with the demo group standing in
for the source systems (generated on first use; its CRM served locally while a step runs).

Each subclass keeps its parent's resource key and interface, so the source assets are the
same in every deployment; only what the definitions bind differs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from demo.sources import ensure_demo_sources, serve_demo_crm
from infra.settings import get_settings
from orchestration.crm.resources import CrmResource
from orchestration.erp.assets import ErpResource
from orchestration.iot.assets import IotResource
from orchestration.wms.assets import WmsResource
from pipelines.sources.crm.client import CrmClient
from pipelines.sources.erp.extract import ErpExtractor


class DemoErpResource(ErpResource):
    """The demo group's ERP database (the SQLite file ``ERP__DATABASE_URL`` defaults to)."""

    def extractor(self) -> ErpExtractor:
        ensure_demo_sources(get_settings())
        return super().extractor()


class DemoCrmResource(CrmResource):
    """The demo group's CRM, served on a free local port for the duration of the block."""

    @contextlib.contextmanager
    def client(self) -> Iterator[CrmClient]:
        with serve_demo_crm(get_settings()) as (url, token), self.open_client(url, token) as client:
            yield client


class DemoWmsResource(WmsResource):
    """The WMS landing folder, holding the demo group's file drops."""

    def folders(self) -> Any:
        ensure_demo_sources(get_settings())
        return super().folders()


class DemoIotResource(IotResource):
    """IoT telemetry: the demo group's JSONL drops (or a broker, when ``IOT__MQTT_URL`` is set)."""

    def config(self) -> Any:
        settings = get_settings()
        if not settings.iot.mqtt_url:
            ensure_demo_sources(settings)
        return super().config()
