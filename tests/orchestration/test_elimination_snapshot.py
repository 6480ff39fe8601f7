"""The elimination list's lake side: the snapshot keyed by platform supplier ids through the
crosswalk, published to gold, and applied to the service by its apply asset (once per version;
a later list that drops a supplier reinstates it)."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import pyarrow as pa
from sqlalchemy import select

from lake.publish import publish_table
from lake.storage import LakeStorage
from models.decisions.elimination import elimination_snapshot
from orchestration.decisions.elimination import (
    apply_supplier_suspensions_asset,
    supplier_elimination_snapshot,
)
from orchestration.resources import LakeResource

MONTH = dt.date(2026, 10, 1)


def _scorecards(listed: dict[str, bool]) -> pa.Table:
    keys = sorted(listed)
    return pa.table({
        "supplier_key": keys, "group_supplier_id": [f"GL-COAL-{i:06d}" for i in range(len(keys))],
        "supplier_name": [f"name {k}" for k in keys], "scorecard_month": [MONTH] * len(keys),
        "overall_score": [12.5 + i for i in range(len(keys))],
        "is_bottom_decile": [listed[k] for k in keys],
        "bottom_decile_reasons": [f"reasons {k}" if listed[k] else None for k in keys],
        "weakest_metrics": [f"weakest {k}" if k != "K-C" else None for k in keys],
    })


CROSSWALK = pa.table({
    "source_system": ["erp", "platform", "erp", "platform", "platform", "platform"],
    "source_record_id": ["V-1", "SUP-1", "V-2", "SUP-2", "SUP-2B", "SUP-9"],
    "supplier_key": ["K-A", "K-A", "K-B", "K-B", "K-B", None],
})


def test_the_snapshot_names_platform_suppliers_on_the_list_with_their_weakest_metrics() -> None:
    table = elimination_snapshot(_scorecards({"K-A": True, "K-B": False, "K-C": True, "K-D": True}), CROSSWALK)
    # K-B not listed; K-C listed but without a platform record; K-D nowhere in the crosswalk
    assert table.to_pylist() == [{
        "supplier_id": "SUP-1", "supplier_key": "K-A", "group_supplier_id": "GL-COAL-000000",
        "supplier_name": "name K-A", "scorecard_month": MONTH, "overall_score": 12.5,
        "reason": "weakest K-A", "weakest_metrics": "weakest K-A"}]
    both = elimination_snapshot(_scorecards({"K-A": False, "K-B": True}), CROSSWALK)
    assert [(r["supplier_id"], r["reason"]) for r in both.to_pylist()] == [("SUP-2", "weakest K-B"),
                                                                          ("SUP-2B", "weakest K-B")]
    fallback = elimination_snapshot(_scorecards({"K-C": True}), pa.table({
        "source_system": ["platform"], "source_record_id": ["SUP-3"], "supplier_key": ["K-C"]}))
    assert fallback.column("reason").to_pylist() == ["reasons K-C"]


def test_the_list_reaches_the_service_once_per_version(settings, tmp_path, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache
    from tests.transactional.factories import build_world
    from transactional.db.database import Database
    from transactional.db.tables.supply import supplier_suspensions
    from transactional.migrations import upgrade_database

    url = f"sqlite:///{tmp_path / 'oltp.db'}"
    upgrade_database(url)
    monkeypatch.setenv("OLTP__DATABASE_URL", url)
    reset_settings_cache()
    db = Database(url)
    build_world(db)
    storage = LakeStorage.from_settings(get_settings())
    instance = dg.DagsterInstance.ephemeral()
    crosswalk = pa.table({"source_system": ["platform", "platform"], "source_record_id": ["SUP-1", "SUP-2"],
                          "supplier_key": ["K-A", "K-B"]})
    publish_table(storage, "gold/supplier_source_records", crosswalk, name="gold.supplier_source_records")

    def run() -> dict:
        result = dg.materialize([supplier_elimination_snapshot, apply_supplier_suspensions_asset],
                                instance=instance, resources={"lake": LakeResource()})
        events = result.get_asset_materialization_events()
        return {e.asset_key.path[-1]: {k: v.value for k, v in e.materialization.metadata.items()} for e in events}

    def suspended() -> list[tuple]:
        with db.read() as session:
            return [tuple(r) for r in session.execute(select(supplier_suspensions.c.supplier_id,
                                                             supplier_suspensions.c.reason)
                                                      .order_by(supplier_suspensions.c.supplier_id))]

    publish_table(storage, "gold/supplier_scorecards_current", _scorecards({"K-A": True, "K-B": True}),
                  name="gold.supplier_scorecards_current")
    first = run()
    assert first["supplier_elimination_snapshot"]["dagster/row_count"] == 2
    assert (first["apply_supplier_suspensions"]["status"], first["apply_supplier_suspensions"]["rows_written"]) == (
        "applied", 2)
    assert suspended() == [("SUP-1", "weakest K-A"), ("SUP-2", "weakest K-B")]
    assert run()["apply_supplier_suspensions"]["status"] == "already_applied"

    publish_table(storage, "gold/supplier_scorecards_current", _scorecards({"K-A": False, "K-B": True}),
                  name="gold.supplier_scorecards_current")
    second = run()["apply_supplier_suspensions"]
    assert (second["status"], second["rows_written"], second["rows_removed"]) == ("applied", 1, 1)
    assert suspended() == [("SUP-2", "weakest K-B")]
    db.dispose()
