"""Risk component: the history profiles of the order-path risk guard (``gold.risk_profiles``)
and their apply asset through the inbound door (``assets.py``)."""

import dagster as dg

from orchestration.risk.assets import risk_assets

defs = dg.Definitions(assets=risk_assets)
