"""Factory of *apply* assets: the one way a gold decision snapshot reaches the service.

An apply asset reads the current version of one gold table (its content hash is the
snapshot version, the commit time its ``produced_at``), converts the rows to plain Python
values and calls :func:`transactional.core.inbound.apply_snapshot` with the feature's
applier. Re-materialising it with an unchanged table does nothing (``already_applied``).
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg

from infra.settings import get_settings
from transactional.core.inbound import Applier

GROUP = "decisions"
OWNERS = ["team:data-platform"]


def decision_apply_asset(
    *, kind: str, gold_table: str, applier: Applier, source_key: dg.AssetKey,
    description: str, deps: Sequence[dg.AssetKey] = (),
) -> dg.AssetsDefinition:
    """An asset ``platform/apply_<kind>`` applying ``gold/<gold_table>`` through ``applier``.

    Args:
        kind: the snapshot kind (one applier per kind).
        gold_table: the published table under ``gold/``.
        applier: the feature's inbound function (``transactional/<context>/inbound.py``).
        source_key: the asset that publishes the table.
        description: shown in the Dagster UI.
        deps: further upstream assets (e.g. the service's own seed).
    """

    @dg.asset(
        key=dg.AssetKey(["platform", f"apply_{kind}"]), deps=[source_key, *deps], group_name=GROUP,
        kinds={"python", "sqlalchemy"}, owners=OWNERS, description=description,
        required_resource_keys={"lake"},
    )
    def _apply(context) -> dg.MaterializeResult:
        from lake.publish import content_hash, read_published
        from transactional.core.inbound import Snapshot, apply_snapshot
        from transactional.db.database import Database

        relative = f"gold/{gold_table}"
        published = read_published(context.resources.lake.storage(), relative)
        if published is None:
            raise dg.Failure(description=f"{relative} is not published yet: nothing to apply "
                                         "(the version in force, if any, stays)")
        version = published.content_hash or content_hash(published.table)
        snapshot = Snapshot(kind=kind, version=version, produced_at=published.committed_at,
                            source=f"{relative}@v{published.version}", rows=published.table.to_pylist())
        database = Database.from_settings(get_settings())
        try:
            outcome = apply_snapshot(database, snapshot, applier)
        finally:
            database.dispose()
        context.log.info("%s %s: %s (%d written, %d removed)", kind, version[:12], outcome.status,
                         outcome.written, outcome.removed)
        return dg.MaterializeResult(metadata={
            "status": outcome.status, "snapshot_version": outcome.in_force.version,
            "source": outcome.in_force.source, "rows": len(snapshot.rows),
            "rows_written": outcome.written, "rows_removed": outcome.removed,
            "age_seconds": round(outcome.in_force.age().total_seconds(), 1),
        })

    return _apply
