"""Login lockout: exponential backoff per (username, client address), a per-address limit,
neither of which locks the real user (elsewhere) out; the lock's start is audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.transactional.factories import PASSWORD
from transactional.db.tables.core import audit_log
from transactional.identity.lockout import LoginGuard


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_after_the_free_failures_and_is_capped() -> None:
    guard = LoginGuard(free_failures=3, base_s=2.0, max_s=60.0)
    assert [guard.lock_for(n) for n in range(1, 10)] == [0, 0, 0, 2, 4, 8, 16, 32, 60]


def test_a_lock_holds_only_for_its_pair_and_a_success_clears_it() -> None:
    clock = Clock()
    guard = LoginGuard(free_failures=2, base_s=1.0, max_s=8.0, ip_per_minute=1000, clock=clock)
    for expected in (0.0, 0.0, 1.0):
        assert guard.check("Alice", "10.0.0.9") is None
        assert guard.failed("Alice", "10.0.0.9") == expected
    refusal = guard.check("alice", "10.0.0.9")  # usernames are case-insensitive
    assert refusal is not None and refusal.reason == "locked" and refusal.retry_after_s == 1.0
    assert guard.check("alice", "10.0.0.1") is None  # the real user, elsewhere: unaffected
    assert guard.check("bob", "10.0.0.9") is None  # other accounts from there: unaffected
    clock.now += 1.0
    assert guard.check("alice", "10.0.0.9") is None
    assert guard.failed("alice", "10.0.0.9") == 2.0  # doubled
    for _ in range(5):
        clock.now += 60
        guard.failed("alice", "10.0.0.9")
    assert guard.check("alice", "10.0.0.9").retry_after_s == 8.0  # capped
    clock.now += 8
    guard.succeeded("alice", "10.0.0.9")
    assert guard.failed("alice", "10.0.0.9") == 0.0  # counting starts again


def test_one_address_is_limited_whatever_the_usernames() -> None:
    clock = Clock()
    guard = LoginGuard(ip_per_minute=3, clock=clock)
    results = [guard.check(f"user{i}", "10.0.0.9") for i in range(4)]
    assert results[:3] == [None, None, None]
    assert results[3].reason == "client_rate" and results[3].retry_after_s == pytest.approx(20)
    assert guard.check("user0", "10.0.0.1") is None
    clock.now += 20
    assert guard.check("user9", "10.0.0.9") is None


@pytest.fixture
def two_clients(app) -> Iterator[tuple[object, object]]:
    from fastapi.testclient import TestClient

    with TestClient(app, client=("203.0.113.7", 40000)) as attacker, \
            TestClient(app, client=("198.51.100.2", 40001)) as user:
        yield attacker, user


def test_an_attacker_locks_out_only_itself_and_the_lock_is_audited(two_clients, db) -> None:
    attacker, user = two_clients
    attacker.app.state.context.login_guard.base_s = 30.0  # no lock expires mid-test

    def login(client, password: str) -> int:
        return client.post("/api/v1/auth/token", data={"username": "buyer_coal",
                                                       "password": password}).status_code

    statuses = [login(attacker, f"guess-{i}") for i in range(7)]
    assert statuses == [401] * 6 + [429]  # 5 free failures, the 6th starts a 30 s lock
    locked = attacker.post("/api/v1/auth/token", data={"username": "buyer_coal",
                                                       "password": PASSWORD})
    assert locked.status_code == 429 and 25 <= int(locked.headers["retry-after"]) <= 30
    assert login(user, PASSWORD) == 200  # the real user, from elsewhere
    with db.read() as session:
        rows = session.execute(select(audit_log.c.action, audit_log.c.details).where(
            audit_log.c.action.like("auth.login%")).order_by(audit_log.c.id)).all()
    assert [r.action for r in rows] == ["auth.login_failed"] * 6 + ["auth.login"]
    assert [r.details.get("locked_for_s") for r in rows[:6]] == [None] * 5 + [30.0]
    assert {r.details["client"] for r in rows[:6]} == {"203.0.113.7"}
    assert rows[-1].details["client"] == "198.51.100.2"
