"""The served supplier scores' way to the service: ``gold/supplier_score_snapshot`` (built by
:func:`models.decisions.supplier_scores.supplier_score_snapshot` from the current scorecards and
the supplier crosswalk, keyed by platform supplier ids) and ``platform/apply_supplier_scores``
(the inbound door with ``transactional.standing.scores.apply_supplier_scores``). Offers then
show each supplier's score, category rank and badge, and buyers sort by them.
"""

from __future__ import annotations

import dagster as dg

from orchestration.decisions.door import decision_apply_asset
from orchestration.decisions.elimination import scorecard_snapshot_asset
from transactional.standing.scores import KIND, apply_supplier_scores

TABLE = "supplier_score_snapshot"
SNAPSHOT_KEY = dg.AssetKey(["gold", TABLE])


supplier_score_snapshot = scorecard_snapshot_asset(
    table=TABLE, build="models.decisions.supplier_scores:supplier_score_snapshot", what="supplier scores",
    description="Decision snapshot: every platform supplier's served score (overall score and interval, "
                "category rank, badge top_decile / watch / listed / unranked) from "
                "gold.supplier_scorecards_current, keyed by platform supplier id through the crosswalk.",
    published_description="The supplier scores in force, keyed by platform supplier id.",
)


apply_supplier_scores_asset = decision_apply_asset(
    kind=KIND, gold_table=TABLE, applier=apply_supplier_scores, source_key=SNAPSHOT_KEY,
    description="Apply the supplier scores to the transactional service (supplier_scores): offers show "
                "each supplier's score, category rank and badge and sort by score.",
)
