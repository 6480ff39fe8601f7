"""Loyalty points: earned per paid order (segment multiplier), redeemed at placement FIFO from
the earliest-expiring lot, never negative (20 racing redemptions, and the CHECK itself),
expiring, reversed on cancellation and refund; every movement in the ledger and the outbox."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tests.transactional.benefits_fixtures import CUSTOMER, cancel, open_dealer, place, segments
from tests.transactional.factories import World
from transactional.accounting import ledger
from transactional.benefits import points
from transactional.db.database import Database
from transactional.db.tables.core import outbox_events
from transactional.db.tables.loyalty import points_accounts, points_lots, points_movements
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.ordering.lifecycle import transition_order
from transactional.ordering.refunds import refund_order

D = Decimal
RACERS = 20
RULE = {"currency": "CNY", "points_per_unit": "1", "rounding": "down", "multipliers": {"champions": "2"},
        "point_value": "0.1", "expiry_months": 12, "max_redeem_percent": "50"}


def _rule(db: Database, world: World, **changes) -> dict:
    return db.run_write(lambda s: points.set_rule(s, world.users["finance_coal"], "COAL", {**RULE, **changes}))


def _pay(db: Database, world: World, order_id: int) -> dict:
    return db.run_write(lambda s: transition_order(s, world.users["finance_coal"], order_id, "pay"))


def _balance(db: Database, dealer: int) -> int:
    with db.read() as session:
        return session.execute(select(points_accounts.c.balance).where(
            points_accounts.c.dealer_account_id == dealer)).scalar_one()


def _lots(db: Database, dealer: int) -> list[tuple[int, int]]:
    with db.read() as session:
        return [tuple(r) for r in session.execute(select(points_lots.c.points, points_lots.c.remaining).where(
            points_lots.c.dealer_account_id == dealer).order_by(points_lots.c.id))]


def _liability(db: Database, dealer: int) -> Decimal:
    with db.read() as session:
        return ledger.balances(session, "points_liability").get(f"points_liability:{dealer}:CNY", D(0))


def test_points_are_earned_redeemed_fifo_reversed_and_expire(db, world, client) -> None:
    dealer = open_dealer(db, world)
    segments(db, "a" * 64, 0, [("COAL", CUSTOMER, "champions")])
    assert _rule(db, world)["version"] == 1
    first = place(db, world, "e1", quantity=2).order  # 1,800 CNY
    _pay(db, world, first["id"])
    assert _lots(db, dealer) == [(3600, 3600)]  # 1 point per CNY, x 2 for a champion
    _rule(db, world, multipliers={})  # v2: champions no longer double
    second = place(db, world, "e2", quantity=1).order
    _pay(db, world, second["id"])
    assert _lots(db, dealer) == [(3600, 3600), (900, 900)] and _balance(db, dealer) == 4500
    assert _liability(db, dealer) == D("-450.0000")  # 4,500 points x 0.1, a credit balance

    with pytest.raises(ValidationFailedError, match="at most 450"):  # 50 % of a 900 order
        place(db, world, "too-much", quantity=1, points=4501)
    redeeming = place(db, world, "r1", quantity=1, points=4000).order  # 400 CNY off 900
    assert _balance(db, dealer) == 500
    assert _lots(db, dealer) == [(3600, 0), (900, 500)]  # the earliest-expiring lot first
    with db.read() as session:
        move = session.execute(select(points_movements).where(points_movements.c.kind == "redeem")).one()
        assert ledger.entry_lines(session, move.journal_entry_id) == [
            {"account": f"points_liability:{dealer}:CNY", "currency": "CNY", "debit": D("400.0000"), "credit": D(0)},
            {"account": f"receivable_adjustments:{dealer}:CNY", "currency": "CNY", "debit": D(0),
             "credit": D("400.0000")}]
        adjusted = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "receivable.adjusted")).scalars().all()
    assert [(a["adjustment"], a["order_id"], a["amount"]) for a in adjusted] == [
        ("points_redemption", redeeming["id"], "-400.0000")]
    with pytest.raises(ConflictError, match="only 500 points"):
        place(db, world, "r2", quantity=2, points=600)

    cancel(db, world, redeeming["id"])  # the points go back to the lots they came from
    assert _lots(db, dealer) == [(3600, 3600), (900, 900)] and _balance(db, dealer) == 4500
    cancel(db, world, second["id"])  # a cancelled paid order: its 900 points taken back
    assert _lots(db, dealer) == [(3600, 3600), (900, 0)] and _balance(db, dealer) == 3600

    # a refund of a quarter of a delivered order takes a quarter of its points back
    db.run_write(lambda s: transition_order(s, world.users["supplier_1"], first["id"], "ship"))
    refund = db.run_write(lambda s: refund_order(s, world.users["finance_coal"], first["id"], "450", "damaged"))
    assert refund["points"] == {"points": -900, "shortfall": 0, "journal_entry_id": refund["points"]["journal_entry_id"]}
    assert _balance(db, dealer) == 2700

    view = client.get(f"/api/v1/customers/{dealer}/points", headers=world.headers("buyer_coal")).json()
    assert (view["balance"], view["spendable"], [lot["remaining"] for lot in view["lots"]]) == (2700, 2700, [2700])
    assert [m["kind"] for m in view["movements"]] == [
        "reverse_earn", "reverse_earn", "reverse_redeem", "redeem", "earn", "earn"]
    assert client.get(f"/api/v1/customers/{dealer}/benefits",
                      headers=world.headers("buyer_coal")).json()["points"]["balance"] == 2700
    assert client.get(f"/api/v1/customers/{dealer}/points", headers=world.headers("buyer_coal2")).status_code == 404
    api = client.post("/api/v1/orders", json={"lines": [{"offer_id": world.offer_ids[("SUP-1", "COAL-6000")],
                                                          "quantity": 10}], "points_to_redeem": 2701},
                      headers=world.headers("buyer_coal", **{"Idempotency-Key": "api-points"}))
    assert (api.status_code, api.json()["error"]["code"]) == (409, "points_insufficient")
    rule = client.get("/api/v1/points-rules/COAL", headers=world.headers("procurement_coal")).json()
    assert (rule["version"], rule["multipliers"], rule["point_value"]) == (2, {}, "0.1000")

    # thirteen months on, every lot has expired: balance and liability are zero
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    assert points.expire_due(db, later) == {"customers": 1, "points": 2700}
    assert points.expire_due(db, later) == {"customers": 0, "points": 0}  # nothing twice
    assert (_balance(db, dealer), _liability(db, dealer)) == (0, D(0))
    with db.read() as session:
        assert ledger.balances(session, "loyalty_expense") == {"loyalty_expense:CNY": D(0)}


def test_points_never_go_negative_under_twenty_concurrent_redemptions(db, world) -> None:
    dealer = open_dealer(db, world)
    _rule(db, world, max_redeem_percent="100")
    paid = place(db, world, "earn", quantity=2).order  # 1,800 points
    _pay(db, world, paid["id"])
    barrier = threading.Barrier(RACERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def racer(n: int) -> None:  # each asks 500 points (50 CNY) on a 900 order: 3 fit in 1,800
        barrier.wait()
        try:
            place(db, world, f"race-{n}", quantity=1, points=500)
            outcome = "placed"
        except ConflictError as error:
            outcome = error.code
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["placed"] * 3 + ["points_insufficient"] * (RACERS - 3)
    assert _balance(db, dealer) == 300 and _lots(db, dealer) == [(1800, 300)]
    assert _liability(db, dealer) == D("-30.0000")
    with pytest.raises(ConflictError) as refused:  # the database itself refuses a negative balance
        db.run_write(lambda s: s.execute(update(points_accounts).values(balance=-1)))
    assert refused.value.code == "constraint_violation" and isinstance(refused.value.__cause__, IntegrityError)
    assert _balance(db, dealer) == 300
