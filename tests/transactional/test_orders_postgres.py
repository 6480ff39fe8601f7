"""The order services on PostgreSQL, through the driver fast path and through SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.transactional.factories import World, build_world
from transactional.core.idempotency import IdempotentRequest
from transactional.db.database import Database
from transactional.db.tables.catalogue import stock
from transactional.db.tables.core import outbox_events
from transactional.domain.errors import (
    IdempotencyMismatchError,
    IllegalTransitionError,
    OutOfStockError,
)
from transactional.migrations import upgrade_database
from transactional.ordering.lifecycle import transition_order
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order
from transactional.ordering.queries import get_order

pytestmark = pytest.mark.postgres


@pytest.fixture(params=[True, False], ids=["fast-path", "sqlalchemy"])
def pg(request: pytest.FixtureRequest, fresh_pg_url: str) -> Iterator[tuple[Database, World]]:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=2, fast_path=request.param)
    yield db, build_world(db)
    db.dispose()


def _stock(db: Database, world: World, warehouse: str, sku: str) -> tuple[int, int]:
    with db.read() as session:
        row = session.execute(select(stock.c.available, stock.c.reserved).where(
            stock.c.warehouse_id == world.warehouse_ids[warehouse],
            stock.c.sku_id == world.sku_ids[sku])).one()
    return row.available, row.reserved


def test_place_replay_refuse_and_cancel(pg) -> None:
    db, world = pg
    buyer = world.users["buyer_coal"]
    offer = world.offer_ids[("SUP-1", "COAL-5500")]
    request = OrderRequest((OrderLineRequest(offer, 350),), ship_to_latitude=40.0,
                           ship_to_longitude=113.0)

    def place(key: str, body: OrderRequest, digest: str = "h1"):
        return db.run_write(lambda s: place_order(s, buyer, body,
                                                  IdempotentRequest(key, digest)))

    first = place("k", request)
    assert (first.status_code, first.replayed) == (201, False)
    line = first.order["lines"][0]
    assert (line["unit_price"], first.order["total_amount"]) == ("780.5000", "273175.0000")
    assert sorted((a["warehouse_id"], a["quantity"]) for a in line["allocations"]) == sorted(
        [(world.warehouse_ids["W-DATONG"], 200), (world.warehouse_ids["W-TAIYUAN"], 150)])
    again = place("k", request)
    assert again.replayed and again.order == first.order
    with pytest.raises(IdempotencyMismatchError):
        place("k", request, digest="h2")
    with pytest.raises(OutOfStockError):
        place("k2", OrderRequest((OrderLineRequest(offer, 200),)))
    assert _stock(db, world, "W-DATONG", "COAL-5500") == (0, 200)
    with db.read() as session:
        assert get_order(session, buyer, first.order["id"]) == first.order
    cancelled = db.run_write(lambda s: transition_order(s, buyer, first.order["id"], "cancel"))
    assert cancelled["status"] == "cancelled"
    assert _stock(db, world, "W-DATONG", "COAL-5500") == (200, 0)
    assert _stock(db, world, "W-TAIYUAN", "COAL-5500") == (300, 0)
    with pytest.raises(IllegalTransitionError):
        db.run_write(lambda s: transition_order(s, buyer, first.order["id"], "cancel"))
    with db.read() as session:
        events = session.execute(select(outbox_events.c.event_type, outbox_events.c.payload)
                                 .where(outbox_events.c.aggregate_type == "order")
                                 .order_by(outbox_events.c.sequence_id)).all()
    assert [e.event_type for e in events] == ["order.placed", "order.cancelled"]
    assert events[0].payload == first.order
