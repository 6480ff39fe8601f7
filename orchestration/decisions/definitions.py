"""Definitions of the decisions component: each decision snapshot and its apply asset."""

from __future__ import annotations

import dagster as dg

from orchestration.decisions.elimination import (
    apply_supplier_suspensions_asset,
    supplier_elimination_snapshot,
)
from orchestration.decisions.scores import apply_supplier_scores_asset, supplier_score_snapshot
from orchestration.decisions.stock import (
    apply_stock_observations_asset,
    stock_observations_snapshot,
    stock_sync_job,
    stock_sync_sensor,
)


def build_decisions_defs() -> dg.Definitions:
    """The decision snapshots the lake publishes, the apply assets handing them to the service,
    and the live-stock sync's job and sensor."""
    return dg.Definitions(
        assets=[supplier_elimination_snapshot, apply_supplier_suspensions_asset,
                supplier_score_snapshot, apply_supplier_scores_asset,
                stock_observations_snapshot, apply_stock_observations_asset],
        jobs=[stock_sync_job], sensors=[stock_sync_sensor],
    )
