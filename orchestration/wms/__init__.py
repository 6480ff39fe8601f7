"""WMS ingest: assets, checks, the landing-folder sensor and its job (resource key ``wms``,
bound by the deployment profile)."""

import dagster as dg

from orchestration.wms.assets import wms_assets, wms_freshness_checks
from orchestration.wms.sensors import wms_ingest_job, wms_landing_sensor

defs = dg.Definitions(
    assets=wms_assets,
    asset_checks=wms_freshness_checks,
    jobs=[wms_ingest_job],
    sensors=[wms_landing_sensor],
)
