"""The loop on the demo group: one full ``grouplake run`` trains the recommender, publishes
``gold.reco_decision_snapshot`` and applies it to the transactional service through the
door; a demo buyer then reads their list at ``/api/v1/recommendations``. Reads only."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.slow


def test_the_demo_run_applies_the_snapshot_and_a_buyer_reads_it(demo_lake) -> None:
    from fastapi.testclient import TestClient

    from lake.publish import content_hash, read_published
    from lake.storage import LakeStorage
    from tests.transactional.factories import auth_headers
    from transactional.core.inbound import current_snapshot
    from transactional.db.database import Database
    from transactional.db.tables.catalogue import offers
    from transactional.db.tables.identity import users
    from transactional.db.tables.recommend import (
        recommendations,
        related_skus,
        sku_supplier_rankings,
    )
    from transactional.domain.principal import Principal, Role
    from transactional.main import create_app
    from transactional.recommend.inbound import KIND

    published = read_published(LakeStorage.from_settings(demo_lake.settings), "gold/reco_decision_snapshot")
    snapshot = published.table.to_pylist()
    db = Database.from_settings(demo_lake.settings)
    try:
        with db.read() as session:
            in_force = current_snapshot(session, KIND)
            held = sum(session.execute(select(func.count()).select_from(t)).scalar_one()
                       for t in (recommendations, related_skus, sku_supplier_rankings))
            buyer_id = session.execute(select(func.min(recommendations.c.buyer_user_id))
                                       .where(recommendations.c.audience == "buyer")).scalar_one()
            user = session.execute(select(users).where(users.c.id == buyer_id)).one()
    finally:
        db.dispose()
    assert in_force.version == (published.content_hash or content_hash(published.table))
    assert in_force.row_count == held == len(snapshot) > 0
    assert user.role == "buyer"  # the snapshot's buyer ids are the platform's users

    principal = Principal(user.id, Role.BUYER, user.business_unit, None, user.username)
    with TestClient(create_app(demo_lake.settings)) as client:
        body = client.get("/api/v1/recommendations", headers=auth_headers(principal)).json()
    assert (body["snapshot"]["version"], body["audience"]) == (in_force.version, "buyer")
    published_skus = [r["sku_id"] for r in sorted(snapshot, key=lambda r: r["rank"])
                      if r["section"] == "buyer_items" and r["buyer_user_id"] == user.id]
    shown = [i["sku_id"] for i in body["items"]]
    assert shown and [i["rank"] for i in body["items"]] == list(range(1, len(shown) + 1))
    dropped = {d["key"] for d in body["dropped"]}
    # the published order minus what the rules drop, topped up from the reserve to the limit
    assert shown == [s for s in published_skus if s not in dropped][:10]
    assert [i["published_rank"] for i in body["items"]] == [published_skus.index(s) + 1 for s in shown]
    db = Database.from_settings(demo_lake.settings)
    try:
        with db.read() as session:
            active = dict(session.execute(select(offers.c.id, offers.c.is_active)
                                          .where(offers.c.id.in_([i["offer_id"] for i in body["items"]]))).all())
    finally:
        db.dispose()
    assert all(active[i["offer_id"]] for i in body["items"])
