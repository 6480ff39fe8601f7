"""The served supplier scores' way to the service: ``gold/supplier_score_snapshot`` (built by
:func:`models.decisions.supplier_scores.supplier_score_snapshot` from the current scorecards and
the supplier crosswalk, keyed by platform supplier ids) and ``platform/apply_supplier_scores``
(the inbound door with ``transactional.standing.scores.apply_supplier_scores``). Offers then
show each supplier's score, category rank and badge, and buyers sort by them.
"""

from __future__ import annotations

import dagster as dg

from orchestration.decisions.door import GROUP, OWNERS, decision_apply_asset
from transactional.standing.scores import KIND, apply_supplier_scores

TABLE = "supplier_score_snapshot"
SNAPSHOT_KEY = dg.AssetKey(["gold", TABLE])
SOURCES = ("supplier_scorecards_current", "supplier_source_records")


@dg.asset(
    key=SNAPSHOT_KEY, deps=[dg.AssetKey(["gold", name]) for name in SOURCES], group_name=GROUP,
    kinds={"delta", "python"}, owners=OWNERS, required_resource_keys={"lake"},
    description="Decision snapshot: every platform supplier's served score (overall score and interval, "
                "category rank, badge top_decile / watch / listed / unranked) from "
                "gold.supplier_scorecards_current, keyed by platform supplier id through the crosswalk.",
)
def supplier_score_snapshot(context) -> dg.MaterializeResult:
    """Build and publish the snapshot (one Delta commit, none when its content is unchanged)."""
    from lake.publish import publish_table, read_published
    from models.decisions.supplier_scores import supplier_score_snapshot as build

    storage = context.resources.lake.storage()
    sources = {name: read_published(storage, f"gold/{name}") for name in SOURCES}
    missing = [name for name, published in sources.items() if published is None]
    if missing:
        raise dg.Failure(description=f"gold.{', gold.'.join(missing)} not published yet: no supplier scores")
    table = build(sources["supplier_scorecards_current"].table, sources["supplier_source_records"].table)
    published = publish_table(storage, f"gold/{TABLE}", table, name=f"gold.{TABLE}",
                              description="The supplier scores in force, keyed by platform supplier id.",
                              metadata={"grouplake.dagster_run_id": context.run.run_id})
    return dg.MaterializeResult(metadata={
        "dagster/row_count": table.num_rows, "delta_version": published.version,
        "published": published.changed, "content_sha256": published.content_hash,
        "scorecards_version": sources["supplier_scorecards_current"].version,
    })


apply_supplier_scores_asset = decision_apply_asset(
    kind=KIND, gold_table=TABLE, applier=apply_supplier_scores, source_key=SNAPSHOT_KEY,
    description="Apply the supplier scores to the transactional service (supplier_scores): offers show "
                "each supplier's score, category rank and badge and sort by score.",
)
