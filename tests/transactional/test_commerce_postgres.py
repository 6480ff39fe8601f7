"""Commerce on PostgreSQL, through the driver fast path and through SQLAlchemy: promotions and
approval at placement, a replayed provider event, a refund, a balanced statement, the
append-only triggers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from tests.transactional.commerce import statement_problems, unbalanced_entries
from tests.transactional.factories import World, build_world
from transactional.accounting import ledger
from transactional.catalogue import promotions
from transactional.core.idempotency import IdempotentRequest
from transactional.core.policy import CommercePolicy
from transactional.db.database import Database
from transactional.domain.principal import SYSTEM
from transactional.migrations import upgrade_database
from transactional.ordering import payments, refunds
from transactional.ordering.lifecycle import handle_callback, transition_order
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order
from transactional.settlement import run as settlement

pytestmark = pytest.mark.postgres
POLICY = CommercePolicy()


@pytest.fixture(params=[True, False], ids=["fast-path", "sqlalchemy"])
def pg(request: pytest.FixtureRequest, fresh_pg_url: str) -> Iterator[tuple[Database, World]]:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=2, fast_path=request.param)
    yield db, build_world(db)
    db.dispose()


def test_commerce_round_trip(pg) -> None:
    db, world = pg
    buyer, finance = world.users["buyer_coal"], world.users["finance_coal"]
    db.run_write(lambda s: promotions.create_promotion(s, SYSTEM, {
        "code": "MJ", "name": "mj", "kind": "full_reduction", "business_unit": "COAL",
        "currency": "CNY", "stacking": "stackable",
        "rules": {"threshold": "2000", "reduction": "200"}}))

    def place(key: str, quantity: int) -> dict:
        request = OrderRequest((OrderLineRequest(world.offer_ids[("SUP-1", "COAL-6000")],
                                                 quantity),))
        return db.run_write(lambda s: place_order(s, buyer, request, IdempotentRequest(key, key),
                                                  policy=POLICY)).order

    big = place("big", 700)  # 630,000 - 63,000 = 567,000 > 500,000
    assert (big["status"], big["discount_amount"]) == ("pending_approval", "63000.0000")
    small = place("small", 10)
    assert (small["status"], small["total_amount"]) == ("placed", "8200.0000")
    assert small["lines"][0]["promotions"][0]["amount"] == "800.0000"
    db.run_write(lambda s: transition_order(s, world.users["procurement_coal"], big["id"],
                                            "approve"))
    intent = db.run_write(lambda s: payments.create_intent(s, buyer, small["id"]))
    event = payments.ProviderEvent("evt-pg", "payment.succeeded",
                                   intent["provider_reference"], Decimal(8200), "CNY")
    first = db.run_write(lambda s: handle_callback(s, event, "d"))
    replay = db.run_write(lambda s: handle_callback(s, event, "d"))
    assert (first["outcome"], replay["duplicate"]) == ("captured", True)
    for action, actor in (("ship", world.users["supplier_1"]), ("deliver", buyer)):
        db.run_write(lambda s, a=action, p=actor: transition_order(s, p, small["id"], a))
    db.run_write(lambda s: refunds.refund_order(s, finance, small["id"], "200", "dent"))
    today = dt.datetime.now(dt.UTC).date()
    issued = db.run_write(lambda s: settlement.issue_statements(
        s, finance, today.replace(day=1), today + dt.timedelta(days=1), POLICY))
    assert [(x["net_amount"], x["line_count"]) for x in issued] == [("8000.0000", 3)]
    with db.read() as session:
        assert unbalanced_entries(session) == [] and statement_problems(session) == []
        assert ledger.entry_count(session, "payment", "order", small["id"]) == 1
    for statement in ("truncate statements cascade", "update journal_entries set posted_by = 1"):
        with pytest.raises(DatabaseError, match="append-only"), db.engine.begin() as c:
            c.execute(text(statement))
