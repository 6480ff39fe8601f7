"""The transactional platform in the graph: its outbox into bronze, and the demo seed."""

import dagster as dg

from orchestration.tx.assets import OltpResource, outbox_assets, outbox_freshness_checks, platform_demo_seed

defs = dg.Definitions(
    assets=[platform_demo_seed, *outbox_assets],
    asset_checks=outbox_freshness_checks,
    resources={"oltp": OltpResource()},
)
