"""ERP ingest: assets and checks for the group's ERP database (resource key ``erp``: an
:class:`~orchestration.erp.assets.ErpResource`, bound by the deployment profile)."""

import dagster as dg

from orchestration.erp.assets import erp_assets, erp_freshness_checks

defs = dg.Definitions(assets=erp_assets, asset_checks=erp_freshness_checks)
