"""The transactional platform in the graph: its outbox into bronze and the approval expiry
schedule (:func:`build_tx_defs`)."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from orchestration.tx.assets import OltpResource, build_outbox_assets
from orchestration.tx.schedules import tx_approval_expiry_job, tx_approval_expiry_schedule


def build_tx_defs(outbox_after: Sequence[dg.AssetKey] = ()) -> dg.Definitions:
    """The tx component; ``outbox_after``: assets the outbox ingest waits for."""
    assets, checks = build_outbox_assets(outbox_after)
    return dg.Definitions(
        assets=assets,
        asset_checks=checks,
        resources={"oltp": OltpResource()},
        jobs=[tx_approval_expiry_job],
        schedules=[tx_approval_expiry_schedule],
    )
