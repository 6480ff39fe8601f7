"""Ratings on PostgreSQL: concurrent first ratings of one order — exactly one lands."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from tests.transactional.factories import World, build_world
from transactional.core.idempotency import IdempotentRequest
from transactional.core.policy import CommercePolicy
from transactional.db.database import Database
from transactional.db.tables.core import outbox_events
from transactional.db.tables.feedback import order_ratings
from transactional.domain.errors import ConflictError
from transactional.feedback.ratings import RatingInput, rate_order
from transactional.migrations import upgrade_database
from transactional.ordering.lifecycle import transition_order
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order

pytestmark = pytest.mark.postgres
POLICY = CommercePolicy()


@pytest.fixture
def pg(fresh_pg_url: str) -> Iterator[tuple[Database, World]]:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=4)
    yield db, build_world(db)
    db.dispose()


def test_eight_concurrent_first_ratings_leave_one(pg) -> None:
    db, world = pg
    buyer = world.users["buyer_coal"]
    request = OrderRequest((OrderLineRequest(world.offer_ids[("SUP-1", "COAL-6000")], 10),))
    order_id = db.run_write(lambda s: place_order(s, buyer, request, IdempotentRequest("k", "k"),
                                                  policy=POLICY)).order["id"]
    for action, user in (("pay", "finance_coal"), ("ship", "supplier_1"), ("deliver", "buyer_coal")):
        db.run_write(lambda s, a=action, u=user: transition_order(s, world.users[u], order_id, a))

    def attempt(score: int) -> str:
        try:
            db.run_write(lambda s: rate_order(s, buyer, order_id, RatingInput(score, score, score), POLICY))
            return "rated"
        except ConflictError as error:
            return error.code

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(attempt, [1, 2, 3, 4, 5, 1, 2, 3]))
    assert sorted(outcomes) == ["already_rated"] * 7 + ["rated"]
    with db.read() as session:
        assert session.execute(select(func.count()).select_from(order_ratings)).scalar_one() == 1
        assert session.execute(select(func.count()).select_from(outbox_events).where(
            outbox_events.c.event_type == "order.rated")).scalar_one() == 1
