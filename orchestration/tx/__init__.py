"""The transactional platform in the graph: its outbox into bronze, the demo seed (with the
demo commerce run), and the approval expiry schedule."""

import dagster as dg

from orchestration.tx.assets import (
    OltpResource,
    outbox_assets,
    outbox_freshness_checks,
    platform_demo_seed,
)
from orchestration.tx.schedules import tx_approval_expiry_job, tx_approval_expiry_schedule

defs = dg.Definitions(
    assets=[platform_demo_seed, *outbox_assets],
    asset_checks=outbox_freshness_checks,
    resources={"oltp": OltpResource()},
    jobs=[tx_approval_expiry_job],
    schedules=[tx_approval_expiry_schedule],
)
