"""Group-buying (拼团): a deal that reaches its target becomes one order per participant at the
group price; one that misses it releases every reservation; racing joins never exceed the
target nor the stock; settling twice changes nothing; a settlement that crashed half-way
resumes and places each order once."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select, update

from tests.transactional.factories import World, build_world, password_hash
from transactional.db.database import Database
from transactional.db.tables.catalogue import stock
from transactional.db.tables.core import outbox_events
from transactional.db.tables.loyalty import group_buy_deals, group_buy_participants
from transactional.db.tables.ordering import order_lines, orders
from transactional.domain.errors import ConflictError
from transactional.domain.principal import SYSTEM, Principal, Role
from transactional.identity.users import create_user
from transactional.migrations import upgrade_database
from transactional.ordering import groupbuy

RACERS = 12
JOINERS = ("buyer_coal", "buyer_coal2", "procurement_coal")


def _deal(db: Database, world: World, target: int, *, sku: str = "COAL-6000", kind: str = "quantity",
          hours: int = 24) -> int:
    body = {"name": f"{sku} together", "business_unit": "COAL", "offer_id": world.offer_ids[("SUP-1", sku)],
            "group_price": Decimal(800), "target_kind": kind, "target": target,
            "deadline": dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)}
    return db.run_write(lambda s: groupbuy.create_deal(s, world.users["finance_coal"], body))["id"]


def _join(db: Database, who: Principal, deal: int, quantity: int) -> dict:
    return db.run_write(lambda s: groupbuy.join_deal(s, who, deal, quantity))


def _stock(db: Database, world: World, sku: str) -> tuple[int, int]:
    with db.read() as session:
        rows = session.execute(select(stock.c.available, stock.c.reserved).where(
            stock.c.sku_id == world.sku_ids[sku])).all()
    return sum(r.available for r in rows), sum(r.reserved for r in rows)


def _participants(db: Database, deal: int) -> list[tuple[str, int | None]]:
    with db.read() as session:
        return [tuple(r) for r in session.execute(select(group_buy_participants.c.status, group_buy_participants.c.order_id)
                                                  .where(group_buy_participants.c.deal_id == deal)
                                                  .order_by(group_buy_participants.c.id))]


def _orders(db: Database) -> list[tuple]:
    with db.read() as session:
        return [tuple(r) for r in session.execute(
            select(orders.c.buyer_user_id, orders.c.total_amount, order_lines.c.quantity, order_lines.c.unit_price)
            .join(order_lines, order_lines.c.order_id == orders.c.id).order_by(orders.c.id))]


def test_a_deal_reaching_its_target_places_every_order_at_the_group_price(db, world, client) -> None:
    finance, buyer = world.headers("finance_coal"), world.headers("buyer_coal")
    created = client.post("/api/v1/group-buys", headers=finance, json={
        "name": "Ordos coal together", "business_unit": "COAL", "offer_id": world.offer_ids[("SUP-1", "COAL-6000")],
        "group_price": "800", "target": 3, "deadline": (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()})
    assert created.status_code == 201, created.text
    deal = created.json()["id"]
    body = {k: created.json()[k] for k in ("name", "business_unit", "offer_id", "group_price", "target", "deadline")}
    assert client.post("/api/v1/group-buys", headers=buyer, json=body).status_code == 403  # marketing's, not a buyer's
    assert client.post("/api/v1/group-buys", headers=finance, json={**body, "deadline": "2020-01-01T00:00:00Z"}
                       ).json()["error"]["code"] == "invalid_group_buy"
    first = client.post(f"/api/v1/group-buys/{deal}/join", headers=buyer, json={"quantity": 1}).json()
    assert (first["status"], first["joined_quantity"]) == ("open", 1)
    assert _stock(db, world, "COAL-6000") == (999, 1)  # reserved at join
    again = client.post(f"/api/v1/group-buys/{deal}/join", headers=buyer, json={"quantity": 1})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "group_buy_already_joined")
    too_many = client.post(f"/api/v1/group-buys/{deal}/join", headers=world.headers("buyer_coal2"), json={"quantity": 3})
    assert (too_many.status_code, too_many.json()["error"]["code"]) == (409, "group_buy_full")
    assert client.post(f"/api/v1/group-buys/{deal}/join", headers=world.headers("buyer_power"),
                       json={"quantity": 1}).status_code == 404
    filled = client.post(f"/api/v1/group-buys/{deal}/join", headers=world.headers("buyer_coal2"),
                         json={"quantity": 2}).json()  # reaches 3: every order is placed
    assert (filled["status"], [p["status"] for p in filled["participants"]]) == ("completed", ["ordered"])
    coal, coal2 = world.users["buyer_coal"].user_id, world.users["buyer_coal2"].user_id
    assert _orders(db) == [(coal, Decimal("800.0000"), 1, Decimal("800.0000")),
                           (coal2, Decimal("1600.0000"), 2, Decimal("800.0000"))]  # 800, not the list 900
    assert _stock(db, world, "COAL-6000") == (997, 3)  # the holds became the orders' reservations
    before = _participants(db, deal)
    settled = client.post(f"/api/v1/group-buys/{deal}/settle", headers=finance).json()
    assert (settled["status"], settled["ordered"], settled["released"]) == ("completed", [], [])  # nothing twice
    assert _participants(db, deal) == before and len(_orders(db)) == 2
    assert client.post(f"/api/v1/group-buys/{deal}/settle", headers=buyer).status_code == 403
    view = client.get(f"/api/v1/group-buys/{deal}", headers=finance).json()
    assert [(p["quantity"], p["status"]) for p in view["participants"]] == [(1, "ordered"), (2, "ordered")]
    with db.read() as session:
        kinds = session.execute(select(outbox_events.c.event_type).where(
            outbox_events.c.aggregate_type == "group_buy").order_by(outbox_events.c.sequence_id)).scalars().all()
    assert kinds == ["group_buy.created", "group_buy.joined", "group_buy.joined", "group_buy.filled",
                     "group_buy.completed"]


def test_a_deal_missing_its_target_releases_every_reservation(db, world) -> None:
    deal = _deal(db, world, 10)
    for who, quantity in zip(JOINERS, (2, 3, 1), strict=True):
        _join(db, world.users[who], deal, quantity)
    assert _stock(db, world, "COAL-6000") == (994, 6)
    assert groupbuy.settle_due(db) == []  # before the deadline nothing is due
    after_deadline = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    done = groupbuy.settle_due(db, after_deadline)
    assert [(d["status"], d["ordered"], len(d["released"])) for d in done] == [("failed", [], 3)]
    assert _participants(db, deal) == [("released", None)] * 3
    assert _stock(db, world, "COAL-6000") == (1000, 0)  # every unit back
    assert groupbuy.settle_deal(db, deal, after_deadline)["released"] == []  # settling twice changes nothing
    assert _stock(db, world, "COAL-6000") == (1000, 0) and _orders(db) == []
    with pytest.raises(ConflictError) as closed:
        _join(db, world.users["buyer_coal"], deal, 1)
    assert closed.value.code in ("group_buy_closed", "group_buy_already_joined")


def test_a_settlement_that_crashed_half_way_resumes_and_orders_each_participant_once(
        db, world, monkeypatch) -> None:
    deal = _deal(db, world, 3, kind="participants")
    for who in JOINERS:
        _join(db, world.users[who], deal, 2)
    real, calls = groupbuy.place_order, []

    def crash_on_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the worker died here")
        return real(*args, **kwargs)

    monkeypatch.setattr(groupbuy, "place_order", crash_on_second)
    with pytest.raises(RuntimeError):
        groupbuy.settle_due(db)
    assert [s for s, _ in _participants(db, deal)] == ["ordered", "reserved", "reserved"]  # the 2nd rolled back
    assert _stock(db, world, "COAL-6000") == (994, 6) and len(_orders(db)) == 1
    monkeypatch.setattr(groupbuy, "place_order", real)
    resumed = groupbuy.settle_due(db)  # the restart
    assert [(d["status"], len(d["ordered"])) for d in resumed] == [("completed", 2)]
    assert [s for s, _ in _participants(db, deal)] == ["ordered"] * 3
    assert len({o for _, o in _participants(db, deal)}) == 3 and len(_orders(db)) == 3
    assert groupbuy.settle_due(db) == []
    assert _stock(db, world, "COAL-6000") == (994, 6)


def _racers(db: Database, count: int) -> list[Principal]:
    made = []
    for n in range(count):
        user = db.run_write(lambda s, n=n: create_user(s, SYSTEM, username=f"gb_buyer_{n}", password="x" * 12,
                                                         role="buyer", business_unit="COAL",
                                                         password_hash=password_hash()))
        made.append(Principal(user["id"], Role.BUYER, "COAL", None, f"gb_buyer_{n}"))
    return made


def _race(db: Database, world: World) -> None:
    """RACERS buyers join two deals at once: one capped by its target (10 of 12), one by the
    stock (7 units left for a target of 10)."""
    by_target = _deal(db, world, 10)
    by_stock = _deal(db, world, 10, sku="COAL-4500")
    db.run_write(lambda s: s.execute(update(stock).where(stock.c.sku_id == world.sku_ids["COAL-4500"])
                                     .values(available=7)))
    buyers = _racers(db, RACERS)
    for deal in (by_target, by_stock):
        barrier = threading.Barrier(RACERS)
        outcomes: list[str] = []
        lock = threading.Lock()

        def racer(who: Principal, deal: int = deal, barrier: threading.Barrier = barrier,
                  outcomes: list[str] = outcomes, lock: threading.Lock = lock) -> None:
            barrier.wait()
            try:
                _join(db, who, deal, 1)
                outcome = "joined"
            except ConflictError as error:
                outcome = error.code
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=racer, args=(b,)) for b in buyers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        expected = (["group_buy_closed"] * 2 + ["joined"] * 10 if deal == by_target  # filled: closed
                    else ["joined"] * 7 + ["out_of_stock"] * 5)
        assert sorted(outcomes) == expected
    with db.read() as session:
        deals = session.execute(select(group_buy_deals.c.joined_quantity, group_buy_deals.c.status)
                                .order_by(group_buy_deals.c.id)).all()
    assert [tuple(d) for d in deals] == [(10, "filled"), (7, "open")]
    assert _stock(db, world, "COAL-6000") == (990, 10) and _stock(db, world, "COAL-4500") == (0, 7)
    assert [len(d["ordered"]) for d in groupbuy.settle_due(db)] == [10]  # the filled one
    assert _stock(db, world, "COAL-6000") == (990, 10) and len(_orders(db)) == 10


def test_racing_joins_never_exceed_the_target_or_the_stock_on_sqlite(db, world) -> None:
    _race(db, world)


@pytest.mark.postgres
def test_racing_joins_never_exceed_the_target_or_the_stock_on_postgres(fresh_pg_url: str) -> None:
    upgrade_database(fresh_pg_url)
    db = Database(fresh_pg_url, pool_size=RACERS)
    try:
        _race(db, build_world(db))
    finally:
        db.dispose()


def test_the_worker_commands_settle_due_deals_and_expire_points(db, world) -> None:
    from typer.testing import CliRunner

    from transactional.cli import tx_app

    deal = _deal(db, world, 10)
    for who in JOINERS[:2]:
        _join(db, world.users[who], deal, 1)
    db.run_write(lambda s: s.execute(update(group_buy_deals).values(  # the deadline passes
        deadline=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))))
    first = CliRunner().invoke(tx_app, ["settle-group-buys"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == ["settled 1 group-buy deal(s)",
                                         f"  deal {deal}: failed, 0 order(s) placed, 2 reservation(s) released"]
    assert CliRunner().invoke(tx_app, ["settle-group-buys"]).output.splitlines() == ["settled 0 group-buy deal(s)"]
    assert _stock(db, world, "COAL-6000") == (1000, 0)
    expired = CliRunner().invoke(tx_app, ["expire-points"])
    assert (expired.exit_code, expired.output.strip()) == (0, "expired 0 point(s) of 0 customer(s)")
