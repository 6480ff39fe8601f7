"""Recommendations on PostgreSQL: the applier, the buyer's read and the attribution at
placement (through the driver fast path and through SQLAlchemy)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.transactional.factories import World, build_world
from transactional.core.idempotency import IdempotentRequest
from transactional.core.inbound import Snapshot, apply_snapshot
from transactional.db.database import Database
from transactional.db.tables.recommend import recommendation_attributions
from transactional.migrations import upgrade_database
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order
from transactional.recommend import queries
from transactional.recommend.attribution import RecommendationRef
from transactional.recommend.inbound import KIND, apply_recommendations

pytestmark = pytest.mark.postgres


@pytest.fixture(params=[True, False], ids=["fast-path", "sqlalchemy"])
def pg(request: pytest.FixtureRequest, fresh_pg_url: str) -> Iterator[tuple[Database, World]]:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=2, fast_path=request.param)
    yield db, build_world(db)
    db.dispose()


def test_apply_read_and_attribute_on_postgres(pg) -> None:
    db, world = pg
    sku, offer = world.sku_ids, world.offer_ids
    buyer = world.users["buyer_coal"]
    rows = [{"section": "buyer_items", "business_unit": "COAL", "buyer_user_id": buyer.user_id,
             "sku_id": sku[code], "rank": rank, "related_sku_id": None, "supplier_id": "SUP-1",
             "offer_id": offer[("SUP-1", code)], "score": score, "reason_kind": "repeat", "reason": code}
            for rank, (code, score) in enumerate([("COAL-4500", 0.9), ("COAL-5500", 0.5)], start=1)]
    snapshot = Snapshot(kind=KIND, version="a" * 64, produced_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
                        source="gold/reco_decision_snapshot@v0", rows=rows)
    assert apply_snapshot(db, snapshot, apply_recommendations).written == 2
    assert apply_snapshot(db, snapshot, apply_recommendations).status == "already_applied"
    with db.read() as session:
        shown = queries.buyer_recommendations(session, buyer)
    assert [(i.sku_code, i.supplier_id, i.in_stock) for i in shown.items] == [
        ("COAL-4500", "SUP-1", True), ("COAL-5500", "SUP-1", True)]
    request = OrderRequest((OrderLineRequest(offer[("SUP-1", "COAL-5500")], 10,
                                             RecommendationRef("recommendations", "a" * 64, 2)),
                            OrderLineRequest(offer[("SUP-1", "COAL-6000")], 1)))
    placed = db.run_write(lambda s: place_order(s, buyer, request, IdempotentRequest.of("pg-reco", "POST", "/orders", {"n": 1})))
    with db.read() as session:
        found = session.execute(select(recommendation_attributions.c.line_no, recommendation_attributions.c.shown_rank,
                                       recommendation_attributions.c.from_surface)
                                .where(recommendation_attributions.c.order_id == placed.order["id"])).all()
    assert [tuple(r) for r in found] == [(1, 2, "recommendations")]
