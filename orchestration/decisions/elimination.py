"""The elimination list's way to the service: ``gold/supplier_elimination_snapshot`` (built by
:func:`models.decisions.elimination.elimination_snapshot` from the current scorecards and the
supplier crosswalk, keyed by platform supplier ids) and ``platform/apply_supplier_suspensions``
(the inbound door with ``transactional.standing.inbound.apply_supplier_suspensions``).

Whether the service *refuses* orders for the suspended suppliers is its own setting
(``OLTP__ENFORCE_ELIMINATION``, off by default until the list's precision is raised, #18).
"""

from __future__ import annotations

import dagster as dg

from orchestration.decisions.door import GROUP, OWNERS, decision_apply_asset
from transactional.standing.inbound import KIND, apply_supplier_suspensions

TABLE = "supplier_elimination_snapshot"
SNAPSHOT_KEY = dg.AssetKey(["gold", TABLE])
SOURCES = ("supplier_scorecards_current", "supplier_source_records")


def scorecard_snapshot_asset(*, table: str, build: str, what: str, description: str,
                             published_description: str) -> dg.AssetsDefinition:
    """An asset ``gold/<table>`` publishing ``build(scorecards, crosswalk)`` over
    ``gold.supplier_scorecards_current`` and ``gold.supplier_source_records`` (one Delta commit,
    none when the content is unchanged); ``build`` is ``"module:function"``, imported when it runs."""

    @dg.asset(
        key=dg.AssetKey(["gold", table]), deps=[dg.AssetKey(["gold", name]) for name in SOURCES],
        group_name=GROUP, kinds={"delta", "python"}, owners=OWNERS, required_resource_keys={"lake"},
        description=description,
    )
    def _snapshot(context) -> dg.MaterializeResult:
        import importlib

        from lake.publish import publish_table, read_published

        module, function = build.split(":")
        storage = context.resources.lake.storage()
        sources = {name: read_published(storage, f"gold/{name}") for name in SOURCES}
        missing = [name for name, published in sources.items() if published is None]
        if missing:
            raise dg.Failure(description=f"gold.{', gold.'.join(missing)} not published yet: no {what}")
        snapshot = getattr(importlib.import_module(module), function)(
            sources["supplier_scorecards_current"].table, sources["supplier_source_records"].table)
        published = publish_table(storage, f"gold/{table}", snapshot, name=f"gold.{table}",
                                  description=published_description,
                                  metadata={"grouplake.dagster_run_id": context.run.run_id})
        return dg.MaterializeResult(metadata={
            "dagster/row_count": snapshot.num_rows, "delta_version": published.version,
            "published": published.changed, "content_sha256": published.content_hash,
            "scorecards_version": sources["supplier_scorecards_current"].version,
        })

    return _snapshot


supplier_elimination_snapshot = scorecard_snapshot_asset(
    table=TABLE, build="models.decisions.elimination:elimination_snapshot", what="elimination list",
    description="Decision snapshot: the suppliers on the current elimination list (bottom decile of "
                "gold.supplier_scorecards_current), keyed by platform supplier id through the crosswalk, "
                "with the weakest metrics as the reason.",
    published_description="The elimination list in force, keyed by platform supplier id.",
)


apply_supplier_suspensions_asset = decision_apply_asset(
    kind=KIND, gold_table=TABLE, applier=apply_supplier_suspensions, source_key=SNAPSHOT_KEY,
    description="Apply the elimination list to the transactional service (supplier_suspensions): listed "
                "suppliers suspended for new orders when OLTP__ENFORCE_ELIMINATION is on, dropped ones reinstated.",
)
