"""CRM ingest: assets, checks and the CRM API resource."""

import dagster as dg

from orchestration.crm.assets import CrmResource, crm_assets, crm_freshness_checks

defs = dg.Definitions(
    assets=crm_assets,
    asset_checks=crm_freshness_checks,
    resources={"crm": CrmResource()},
)
