"""What every other test switches off or goes around: the order rate limit (the end-to-end
tests raise it to 1,000,000 per minute), expired tokens on the transactional API, and the
exact edge of the tokens' clock-skew leeway."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import jwt
import pytest
from sqlalchemy import func, select

from infra.tokens import TokenExpiredError, issue_token, verify_token
from tests.transactional.factories import order_body
from transactional.api.ratelimit import GcraLimiter
from transactional.db.tables.ordering import orders

LEEWAY_SECONDS = 5  # infra/tokens.py: verify_token(…, leeway=5)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_gcra_allows_a_minutes_burst_then_one_per_interval_per_key() -> None:
    clock = Clock()
    limiter = GcraLimiter(3, clock=clock)  # one every 20 s, a burst of 3
    assert [limiter.hit("a") for _ in range(3)] == [None, None, None]
    assert limiter.hit("a") == pytest.approx(20.0)  # seconds until the next is allowed
    assert limiter.hit("b") is None  # another user has their own budget
    clock.now += 19.9
    assert limiter.hit("a") == pytest.approx(0.1)
    clock.now += 0.1
    assert limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(20.0)
    clock.now += 60.0  # a quiet minute restores the whole burst
    assert [limiter.hit("a") for _ in range(4)] == [None, None, None, pytest.approx(20.0)]


@pytest.fixture
def limited_client(tx_settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The API with the order limit at 2 per minute per user."""
    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("OLTP__ORDER_RATE_PER_MINUTE", "2")
    reset_settings_cache()
    with TestClient(create_app(get_settings())) as client:
        yield client


def _order_count(db) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(orders)).scalar_one()


def test_the_third_order_in_a_minute_gets_429_and_nothing_is_placed(limited_client, world, db):
    offer = world.offer_ids[("SUP-1", "COAL-6000")]

    def place(user: str, key: str):
        return limited_client.post("/api/v1/orders", json=order_body(offer, 1),
                                   headers=world.headers(user, **{"Idempotency-Key": key}))

    before = _order_count(db)
    assert [place("buyer_coal", f"rl-{i}").status_code for i in range(2)] == [201, 201]
    refused = place("buyer_coal", "rl-2")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "rate_limited"
    assert 0 < error["details"]["retry_after_seconds"] <= 30  # one order every 30 s
    assert 1 <= int(refused.headers["Retry-After"]) <= 30
    assert _order_count(db) == before + 2
    assert place("buyer_coal2", "rl-other").status_code == 201  # the limit is per user
    assert _order_count(db) == before + 3


def test_an_expired_token_gets_401_on_reads_and_writes(client, world, db):
    buyer = world.users["buyer_coal"]
    expired = issue_token(str(buyer.user_id), "buyer", "COAL", ttl=dt.timedelta(seconds=-60))
    headers = {"Authorization": f"Bearer {expired}"}
    before = _order_count(db)
    for response in (
        client.get("/api/v1/orders", headers=headers),
        client.post("/api/v1/orders", json=order_body(world.offer_ids[("SUP-1", "COAL-6000")], 1),
                    headers={**headers, "Idempotency-Key": "expired"}),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthenticated"
        assert "expired" in response.json()["error"]["message"]
    assert _order_count(db) == before
    fresh = client.get("/api/v1/orders", headers=world.headers("buyer_coal"))
    assert fresh.status_code == 200


def test_the_leeway_ends_exactly_five_seconds_after_expiry(settings, monkeypatch) -> None:
    frozen = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.UTC)

    class FrozenDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen if tz is not None else frozen.replace(tzinfo=None)

    monkeypatch.setattr(jwt.api_jwt, "datetime", FrozenDatetime)
    now = int(frozen.timestamp())
    secret = settings.auth.jwt_secret.get_secret_value()

    def token(expired_seconds_ago: int) -> str:
        return jwt.encode({"sub": "1", "role": "buyer", "business_unit": "COAL",
                           "iss": settings.auth.issuer, "iat": now - 600,
                           "exp": now - expired_seconds_ago}, secret,
                          algorithm=settings.auth.jwt_algorithm)

    assert verify_token(token(0)).sub == "1"  # expiring this very second: within the leeway
    assert verify_token(token(LEEWAY_SECONDS - 1)).sub == "1"
    with pytest.raises(TokenExpiredError):
        verify_token(token(LEEWAY_SECONDS))
    with pytest.raises(TokenExpiredError):
        verify_token(token(LEEWAY_SECONDS + 1))
