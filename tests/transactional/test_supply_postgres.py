"""The supply loop on PostgreSQL: a count under reservations (row lock, discrepancy with the
order) and the elimination list refusing an order, with enforcement on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.transactional.factories import World, build_world
from transactional.core.idempotency import IdempotentRequest
from transactional.core.inbound import Snapshot, apply_snapshot
from transactional.core.policy import CommercePolicy
from transactional.db.database import Database
from transactional.db.tables.catalogue import stock
from transactional.db.tables.supply import stock_discrepancies
from transactional.inventory.observations import Observation, apply_observation
from transactional.migrations import upgrade_database
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order
from transactional.standing.enforcement import SupplierSuspendedError
from transactional.standing.inbound import KIND, apply_supplier_suspensions

pytestmark = pytest.mark.postgres
T0 = dt.datetime(2026, 12, 7, 6, tzinfo=dt.UTC)


@pytest.fixture
def pg(fresh_pg_url: str) -> Iterator[tuple[Database, World]]:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=2)
    yield db, build_world(db)
    db.dispose()


def _order(db: Database, world: World, key: str, quantity: int, policy: CommercePolicy,
           sku: str = "COAL-6000") -> dict:
    request = OrderRequest((OrderLineRequest(world.offer_ids[("SUP-1", sku)], quantity),))
    return db.run_write(lambda s: place_order(s, world.users["buyer_coal"], request, IdempotentRequest(key, key),
                                              policy=policy)).order


def test_a_short_count_and_a_suspension_on_postgres(pg) -> None:
    db, world = pg
    enforcing = CommercePolicy(enforce_elimination=True)
    order = _order(db, world, "k1", 400, enforcing)
    wh, sku = world.warehouse_ids["W-TAIYUAN"], world.sku_ids["COAL-6000"]
    outcome = db.run_write(lambda s: apply_observation(s, Observation(wh, sku, 350, T0, "scale:1")))
    assert (outcome.available, outcome.reserved, outcome.shortfall, outcome.order_ids) == (0, 400, 50, (order["id"],))
    again = db.run_write(lambda s: apply_observation(s, Observation(wh, sku, 350, T0, "scale:1")))
    assert again.status == "already_applied"
    with db.read() as session:
        assert session.execute(select(stock.c.available, stock.c.reserved).where(
            stock.c.warehouse_id == wh, stock.c.sku_id == sku)).one() == (0, 400)
        assert session.execute(select(stock_discrepancies.c.order_ids)).scalars().all() == [[order["id"]]]

    snapshot = Snapshot(KIND, "a" * 64, T0, "gold/supplier_elimination_snapshot@v1",
                        [{"supplier_id": "SUP-1", "reason": "late deliveries"}])
    assert apply_snapshot(db, snapshot, apply_supplier_suspensions).status == "applied"
    with pytest.raises(SupplierSuspendedError, match="late deliveries"):
        _order(db, world, "k2", 1, enforcing, "COAL-4500")
    held = _order(db, world, "k3", 1, CommercePolicy(), "COAL-4500")  # enforcement off: placed, and
    assert held["status"] == "pending_review"  # the risk guard holds it for review (#14)
    assert [r["code"] for r in held["risk"]["reasons"]] == ["eliminated_supplier"]
