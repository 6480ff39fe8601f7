"""The live-stock applier: one ``stock_observations`` decision snapshot version → the stock.

Rows (``gold.stock_observations_snapshot``, keyed by platform ids): ``warehouse_id``,
``sku_id``, ``on_hand``, ``observed_at``, ``observation_id`` and optionally ``source``. Each
row goes through :func:`transactional.inventory.observations.apply_observation`, so a row
older than what an IoT reading already applied for its warehouse × SKU changes nothing.
Nothing is removed: a warehouse × SKU missing from a later version keeps its last count.
A row naming a warehouse or SKU the platform does not know refuses the whole version.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy.orm import Session

from transactional.core import audit
from transactional.core.inbound import Applied, Snapshot
from transactional.domain.errors import ValidationFailedError
from transactional.domain.principal import SYSTEM
from transactional.inventory.observations import Observation, apply_observation, ensure_known

KIND = "stock_observations"


def _observation(row: dict, snapshot: Snapshot) -> Observation:
    try:
        observed_at = row["observed_at"]
        if isinstance(observed_at, str):
            observed_at = dt.datetime.fromisoformat(observed_at)
        return Observation(int(row["warehouse_id"]), int(row["sku_id"]), int(row["on_hand"]), observed_at,
                           str(row["observation_id"]), str(row.get("source") or snapshot.source))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailedError(f"malformed stock observation row: {exc}", code="invalid_snapshot") from exc


def apply_stock_observations(session: Session, snapshot: Snapshot) -> Applied:
    """Apply every observation of ``snapshot``; ``written`` counts those that changed the
    record (``applied``), stale and repeated ones are skipped (see the module docstring)."""
    observations = [_observation(dict(row), snapshot) for row in snapshot.rows]
    ensure_known(session, {o.warehouse_id for o in observations}, {o.sku_id for o in observations})
    statuses: Counter[str] = Counter()
    discrepancies = []
    # the reservation's lock order (sku, warehouse): a concurrent order waits, never deadlocks
    for observation in sorted(observations, key=lambda o: (o.sku_id, o.warehouse_id, o.observed_at)):
        outcome = apply_observation(session, observation)
        statuses[outcome.status] += 1
        if outcome.discrepancy_id is not None:
            discrepancies.append(outcome.discrepancy_id)
    if discrepancies:
        audit.record(session, SYSTEM, "stock.discrepancy", "decision_snapshot", f"{KIND}@{snapshot.version[:16]}",
                     details={"discrepancy_ids": discrepancies[:100], "count": len(discrepancies)})
    return Applied(written=statuses["applied"])
