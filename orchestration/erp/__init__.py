"""ERP ingest: assets, checks and resources for the group's ERP database."""

import dagster as dg

from orchestration.erp.assets import ErpResource, erp_assets, erp_freshness_checks

defs = dg.Definitions(
    assets=erp_assets,
    asset_checks=erp_freshness_checks,
    resources={"erp": ErpResource()},
)
