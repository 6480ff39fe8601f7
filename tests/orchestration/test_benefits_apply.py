"""The customer segments reach the service through the door: ``platform/apply_customer_segments``
is in the graph downstream of ``gold/customer_segments``, and a published version is applied
once into ``customer_benefits`` with the segment, policy version and snapshot version."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg
import pyarrow as pa
from sqlalchemy import select

from lake.publish import publish_table
from lake.storage import LakeStorage
from orchestration.decisions.benefits import customer_segments_apply_asset
from orchestration.resources import LakeResource

KEY = dg.AssetKey(["platform", "apply_customer_segments"])


def test_the_apply_asset_is_wired_downstream_of_the_published_segments() -> None:
    from orchestration.definitions import build_definitions

    graph = build_definitions().resolve_asset_graph()
    assert dg.AssetKey(["gold", "customer_segments"]) in graph.get(KEY).parent_keys
    assert dg.AssetKey(["dbt", "customer_segments"]) in graph.get(dg.AssetKey(["gold", "customer_segments"])).parent_keys


def test_published_segments_are_applied_once_per_version(settings, tmp_path, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache
    from tests.transactional.factories import build_world
    from transactional.benefits.policies import set_policy
    from transactional.db.database import Database
    from transactional.db.tables.benefits import customer_benefits
    from transactional.migrations import upgrade_database
    from transactional.rebates.dealers import create_dealer_account

    url = f"sqlite:///{tmp_path / 'oltp.db'}"
    upgrade_database(url)
    monkeypatch.setenv("OLTP__DATABASE_URL", url)
    reset_settings_cache()
    db = Database(url)
    world = build_world(db)
    db.run_write(lambda s: create_dealer_account(s, world.users["admin_coal"], code="DLR-1", name="Datong",
                                                 business_unit="COAL", customer_ref="CUST-7"))
    rules = {"default": {"payment_terms_days": 30, "credit_limit": "0", "account_manager": False,
                         "discount_tier": "standard", "campaigns": []},
             "segments": {"champions": {"payment_terms_days": 60, "account_manager": True}}}
    db.run_write(lambda s: set_policy(s, world.users["finance_coal"], "COAL", rules, "CNY"))
    asset = customer_segments_apply_asset()
    instance = dg.DagsterInstance.ephemeral()

    def run() -> dict:
        result = dg.materialize([asset], instance=instance, resources={"lake": LakeResource()})
        [event] = result.get_asset_materialization_events()
        return {k: v.value for k, v in event.materialization.metadata.items()}

    table = pa.table({"business_unit": ["COAL", "COAL", "CHEM"], "customer_id": ["CUST-7", "CUST-8", "CUST-9"],
                      "customer_name": ["Datong", "Yulin", "Elsewhere"],
                      "segment": ["champions", "lost", "champions"], "rfm_cell": ["555", "111", "545"],
                      "clv": pa.array([Decimal("9000.5"), None, Decimal(1)], pa.decimal128(18, 4))})
    published = publish_table(LakeStorage.from_settings(get_settings()), "gold/customer_segments", table,
                              name="gold.customer_segments")
    first = run()
    assert (first["status"], first["rows"], first["rows_written"], first["snapshot_version"]) == (
        "applied", 3, 2, published.content_hash)
    assert run()["status"] == "already_applied"
    with db.read() as session:
        rows = session.execute(select(customer_benefits).order_by(customer_benefits.c.customer_ref)).all()
    db.dispose()
    assert [(r.customer_ref, r.segment, r.payment_terms_days, r.account_manager, r.policy_version, r.clv,
             r.snapshot_version) for r in rows] == [
        ("CUST-7", "champions", 60, True, 1, Decimal("9000.5000"), published.content_hash),
        ("CUST-8", "lost", 30, False, 1, None, published.content_hash)]
