"""The apply-asset factory: a published gold table reaches the service through the door,
once per content version; an unpublished table fails the asset and keeps what is in force."""

from __future__ import annotations

import dagster as dg
import pyarrow as pa
from sqlalchemy import text

from lake.publish import publish_table
from lake.storage import LakeStorage
from orchestration.decisions.door import decision_apply_asset
from orchestration.resources import LakeResource
from transactional.core.inbound import Applied, current_snapshot


def _probe(session, snapshot) -> Applied:
    session.execute(text("create table if not exists door_probe (key text primary key, value integer, version text)"))
    removed = session.execute(text("delete from door_probe")).rowcount
    for row in snapshot.rows:
        assert type(row["value"]) is int  # plain Python values, no Arrow / numpy types
        session.execute(text("insert into door_probe values (:key, :value, :version)"),
                        {**row, "version": snapshot.version})
    return Applied(written=len(snapshot.rows), removed=removed)


def test_a_published_snapshot_is_applied_once_per_version(settings, tmp_path, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache
    from transactional.db.database import Database
    from transactional.migrations import upgrade_database

    url = f"sqlite:///{tmp_path / 'oltp.db'}"
    upgrade_database(url)
    monkeypatch.setenv("OLTP__DATABASE_URL", url)
    reset_settings_cache()
    storage = LakeStorage.from_settings(get_settings())
    db = Database(url)
    asset = decision_apply_asset(kind="probe", gold_table="probe_snapshot", applier=_probe,
                                 source_key=dg.AssetKey(["gold", "probe_snapshot"]), description="probe")
    instance = dg.DagsterInstance.ephemeral()

    def run() -> dict:
        result = dg.materialize([asset], instance=instance, resources={"lake": LakeResource()},
                                raise_on_error=False)
        events = result.get_asset_materialization_events() if result.success else []
        return {"success": result.success, **{k: v.value for e in events
                                              for k, v in e.materialization.metadata.items()}}

    missing = run()
    assert missing["success"] is False  # nothing published yet: the asset fails, nothing applied

    published = publish_table(storage, "gold/probe_snapshot", pa.table({"key": ["SUP-1", "SUP-2"], "value": [1, 2]}),
                              name="gold.probe_snapshot")
    first = run()
    assert (first["status"], first["rows_written"], first["snapshot_version"]) == ("applied", 2, published.content_hash)
    assert run()["status"] == "already_applied"
    republished = publish_table(storage, "gold/probe_snapshot", pa.table({"key": ["SUP-2"], "value": [7]}),
                                name="gold.probe_snapshot")
    second = run()
    assert (second["status"], second["rows_written"], second["rows_removed"]) == ("applied", 1, 2)
    with db.read() as session:
        assert current_snapshot(session, "probe").source == f"gold/probe_snapshot@v{republished.version}"
        rows = session.execute(text("select key, value, version from door_probe")).all()
    db.dispose()
    assert [tuple(r) for r in rows] == [("SUP-2", 7, republished.content_hash)]
