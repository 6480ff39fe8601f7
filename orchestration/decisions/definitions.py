"""Definitions of the decisions component: each decision snapshot and its apply asset."""

from __future__ import annotations

import dagster as dg

from orchestration.decisions.elimination import (
    apply_supplier_suspensions_asset,
    supplier_elimination_snapshot,
)


def build_decisions_defs() -> dg.Definitions:
    """The decision snapshots the lake publishes and the apply assets handing them to the service."""
    return dg.Definitions(assets=[supplier_elimination_snapshot, apply_supplier_suspensions_asset])
