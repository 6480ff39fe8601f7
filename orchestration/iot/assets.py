"""IoT bronze assets: one per event kind, fed by MQTT micro-batches or JSONL drops.

With ``IOT__MQTT_URL`` set, each asset run drains its kind's persistent session on the
broker (commit, then acknowledge) until the broker is idle; without it, the JSONL files in
``IOT__LANDING_DIR`` are landed once each and archived.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dagster as dg

from infra.settings import get_settings
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from orchestration.bronze import build_bronze_assets, freshness_checks
from pipelines.ingest import BatchReport, IngestReport
from pipelines.sources.iot.specs import iot_specs


class IotResource(dg.ConfigurableResource):
    """IoT telemetry: the MQTT broker (``IOT__MQTT_URL``, topics, credentials) or JSONL drops."""

    def config(self) -> Any:
        """``settings.iot``."""
        return get_settings().iot


def is_transient_iot_error(exc: BaseException) -> bool:
    """A broker that is down, refuses or drops the connection is worth retrying."""
    return isinstance(exc, (ConnectionError, TimeoutError))


def ingest_iot_entity(storage: LakeStorage, spec: EntitySpec, iot_settings: Any,
                      on_batch: Callable[[BatchReport], None] | None = None) -> IngestReport:
    """One run of one event kind, from the broker or from drops depending on the settings."""
    if iot_settings.mqtt_url:
        from pipelines.sources.iot.mqtt_ingest import consume_kind
        from pipelines.sources.iot.mqtt_session import MqttConfig

        return consume_kind(storage, spec, MqttConfig.from_settings(iot_settings, spec), on_batch=on_batch)
    from pipelines.sources.iot.drops import ingest_iot_drops

    return ingest_iot_drops(storage, spec, iot_settings, on_batch=on_batch)


def _ingest(
    context: dg.AssetExecutionContext,
    storage: LakeStorage,
    spec: EntitySpec,
    on_batch: Callable[[BatchReport], None],
) -> IngestReport:
    return ingest_iot_entity(storage, spec, context.resources.iot.config(), on_batch)


iot_assets = build_bronze_assets(
    iot_specs(),
    _ingest,
    required_resource_keys={"iot"},
    kinds={"mqtt"},
    is_transient=is_transient_iot_error,
)
iot_freshness_checks = freshness_checks(iot_assets)
