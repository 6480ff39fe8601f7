"""IoT ingest: assets, checks, the micro-batch sensor and its job (resource key ``iot``,
bound by the deployment profile)."""

import dagster as dg

from orchestration.iot.assets import iot_assets, iot_freshness_checks
from orchestration.iot.sensors import iot_ingest_job, iot_sensor

defs = dg.Definitions(
    assets=iot_assets,
    asset_checks=iot_freshness_checks,
    jobs=[iot_ingest_job],
    sensors=[iot_sensor],
)
