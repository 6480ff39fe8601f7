"""CRM ingest: assets and checks (resource key ``crm``: a
:class:`~orchestration.crm.resources.CrmResource`, bound by the deployment profile)."""

import dagster as dg

from orchestration.crm.assets import crm_assets, crm_freshness_checks

defs = dg.Definitions(assets=crm_assets, asset_checks=crm_freshness_checks)
