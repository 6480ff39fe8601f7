"""Sessions and tokens: every request re-checks the user, lifetimes are capped, logout and
disabling revoke tokens, logins are audited, local secrets are generated, not written."""

from __future__ import annotations

import datetime as dt
import stat

import jwt
import pytest
from sqlalchemy import select, update

from infra.tokens import TokenInvalidError, issue_token, verify_token
from tests.transactional.factories import PASSWORD
from transactional.db.tables.core import audit_log
from transactional.db.tables.identity import users


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def _signed(settings, **claims) -> str:
    now = int(dt.datetime.now(dt.UTC).timestamp())
    payload = {"iss": settings.auth.issuer, "iat": now, "exp": now + 600, "role": "buyer",
               "business_unit": "COAL", **claims}
    return jwt.encode(payload, settings.auth.jwt_secret.get_secret_value(), algorithm="HS256")


def test_tokens_for_users_that_do_not_exist_are_refused(client, world, tx_settings) -> None:
    for sub in ("999999", "0", "-1", "9223372036854775808", "abc"):
        response = client.get("/api/v1/auth/me", headers=_bearer(_signed(tx_settings, sub=sub)))
        assert response.status_code == 401, (sub, response.text)
        assert response.json()["error"]["code"] == "unauthenticated"
    buyer = world.users["buyer_coal"].user_id
    me = client.get("/api/v1/auth/me", headers=_bearer(_signed(tx_settings, sub=str(buyer))))
    assert me.status_code == 200 and me.json()["username"] == "buyer_coal"


def test_a_token_living_longer_than_the_cap_is_refused(client, world, tx_settings) -> None:
    buyer = str(world.users["buyer_coal"].user_id)
    now = int(dt.datetime.now(dt.UTC).timestamp())
    ten_years = _signed(tx_settings, sub=buyer, iat=now, exp=now + 10 * 365 * 86400)
    response = client.get("/api/v1/auth/me", headers=_bearer(ten_years))
    assert response.status_code == 401
    assert "longer than the allowed 720 minutes" in response.json()["error"]["message"]
    with pytest.raises(TokenInvalidError, match="longer than the allowed"):
        verify_token(_signed(tx_settings, sub=buyer, iat=now, exp=now + 720 * 60 + 1))
    assert verify_token(_signed(tx_settings, sub=buyer, iat=now, exp=now + 720 * 60)).sub == buyer
    with pytest.raises(ValueError, match="at most 720 minutes"):
        issue_token(buyer, "buyer", "COAL", ttl=dt.timedelta(minutes=721))


def test_logout_revokes_every_token_of_the_user(client, world, db) -> None:
    first, second = (_login(client, "buyer_coal").json()["access_token"] for _ in range(2))
    assert client.get("/api/v1/orders", headers=_bearer(first)).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=_bearer(first)).status_code == 204
    for token in (first, second):
        refused = client.get("/api/v1/orders", headers=_bearer(token))
        assert refused.status_code == 401
        assert "revoked" in refused.json()["error"]["message"]
    fresh = _login(client, "buyer_coal").json()["access_token"]
    assert client.get("/api/v1/orders", headers=_bearer(fresh)).status_code == 200
    other = client.get("/api/v1/orders", headers=world.headers("buyer_coal2"))
    assert other.status_code == 200  # only that user's tokens


def test_a_disabled_user_is_refused_at_once_and_keeps_its_old_tokens_revoked(
        client, world, db) -> None:
    buyer = world.users["buyer_coal"].user_id
    token = _login(client, "buyer_coal").json()["access_token"]
    key = client.post(f"/api/v1/users/{buyer}/api-keys", json={"name": "k"},
                      headers=world.headers("admin_coal")).json()["secret"]
    assert client.get("/api/v1/orders", headers={"X-API-Key": key}).status_code == 200
    assert client.post(f"/api/v1/users/{buyer}/disable",
                       headers=world.headers("admin_power")).status_code == 404
    disabled = client.post(f"/api/v1/users/{buyer}/disable", headers=world.headers("admin_coal"))
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    for headers in (_bearer(token), world.headers("buyer_coal"), {"X-API-Key": key}):
        assert client.get("/api/v1/orders", headers=headers).status_code == 401
    assert _login(client, "buyer_coal").status_code == 401
    own = client.post(f"/api/v1/users/{world.users['admin_coal'].user_id}/disable",
                      headers=world.headers("admin_coal"))
    assert own.status_code == 422
    assert client.post(f"/api/v1/users/{buyer}/enable",
                       headers=world.headers("admin_coal")).status_code == 200
    assert client.get("/api/v1/orders", headers=_bearer(token)).status_code == 401  # revoked
    fresh = _login(client, "buyer_coal").json()["access_token"]
    assert client.get("/api/v1/orders", headers=_bearer(fresh)).status_code == 200
    with db.read() as session:
        actions = session.execute(select(audit_log.c.action).where(
            audit_log.c.object_type == "user", audit_log.c.object_id == str(buyer),
            audit_log.c.action.in_(["user.disable", "user.enable"])).order_by(audit_log.c.id))
        assert list(actions.scalars()) == ["user.disable", "user.enable"]


def test_a_role_or_unit_changed_since_the_token_was_issued_is_refused(client, world, db,
                                                                       app) -> None:
    buyer = world.users["buyer_coal"].user_id
    headers = world.headers("buyer_coal")
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    db.run_write(lambda s: s.execute(update(users).where(users.c.id == buyer)
                                     .values(business_unit="POWER")))
    # within the cache's few seconds the old state may still be trusted; then it is not
    app.state.context.users.forget(buyer)
    refused = client.get("/api/v1/orders", headers=headers)
    assert refused.status_code == 401 and "out of date" in refused.json()["error"]["message"]


def test_the_user_cache_expires_and_is_bounded(monkeypatch) -> None:
    from transactional.identity import sessions

    clock = [100.0]
    monkeypatch.setattr(sessions.time, "monotonic", lambda: clock[0])
    cache = sessions.UserCache(ttl_s=5, size=2)
    state = sessions.UserState(1, "a", "buyer", "COAL", None, True, 0)
    cache.put(1, state)
    assert cache.get(1) == (True, state)
    clock[0] += 4.99
    assert cache.get(1) == (True, state)
    clock[0] += 0.01
    assert cache.get(1) == (False, None)
    for user_id in (1, 2, 3):
        cache.put(user_id, None)
    assert [cache.get(i)[0] for i in (1, 2, 3)] == [False, True, True]
    cache.forget(3)
    assert cache.get(3) == (False, None)


def test_every_login_is_audited_success_and_failure(client, world, db) -> None:
    assert _login(client, "finance_coal").status_code == 200
    assert _login(client, "finance_coal", "wrong-password-123").status_code == 401
    assert _login(client, "nobody-here", "wrong-password-123").status_code == 401
    with db.read() as session:
        rows = session.execute(select(audit_log).where(
            audit_log.c.action.like("auth.login%")).order_by(audit_log.c.id)).all()
    finance = world.users["finance_coal"].user_id
    assert [(r.action, r.actor_user_id, r.actor_role, r.details["username"]) for r in rows] == [
        ("auth.login", finance, "finance", "finance_coal"),
        ("auth.login_failed", finance, "finance", "finance_coal"),
        ("auth.login_failed", 0, "anonymous", "nobody-here")]
    assert all("password" not in str(r.details) for r in rows)


def test_local_secrets_are_generated_per_home_never_the_old_constant(settings,
                                                                      monkeypatch) -> None:
    from grouplake.setup_steps import setup_local_secrets
    from infra.local_secrets import secrets_path
    from infra.settings import LOCAL_DEV_SECRET, get_settings, isolated_settings

    path = secrets_path(settings.home)
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    jwt_secret = settings.auth.jwt_secret.get_secret_value()
    payment = settings.oltp.payment_provider_secret.get_secret_value()
    assert len(jwt_secret) >= 60 and jwt_secret != payment
    assert LOCAL_DEV_SECRET not in (jwt_secret, payment)
    again = isolated_settings(settings.home)
    assert again.auth.jwt_secret.get_secret_value() == jwt_secret  # stable per home
    other = isolated_settings(settings.home.parent / "elsewhere")
    assert other.auth.jwt_secret.get_secret_value() != jwt_secret
    setup_local_secrets()  # the setup step: idempotent
    assert get_settings().auth.jwt_secret.get_secret_value() == jwt_secret
    assert path == settings.home / "secrets" / "local.json"  # under the ignored home


@pytest.mark.parametrize("env", ["ci", "staging", "production"])
@pytest.mark.parametrize("secret", ["grouplake-local-development-secret-not-for-production",
                                    "changeme", "short-but-random-9f2c"])
def test_every_profile_but_local_refuses_a_placeholder_secret(settings, monkeypatch, env: str,
                                                              secret: str) -> None:
    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("ENV", env)
    monkeypatch.setenv("AUTH__JWT_SECRET", secret)
    monkeypatch.setenv("OLTP__PAYMENT_PROVIDER_SECRET", "p" * 40)
    monkeypatch.setenv("OLTP__FIELD_ENCRYPTION_KEY", "f" * 40)
    reset_settings_cache()
    with pytest.raises(RuntimeError, match="AUTH__JWT_SECRET"):
        create_app(get_settings())
    monkeypatch.setenv("AUTH__JWT_SECRET", "k" * 40)
    reset_settings_cache()
    assert create_app(get_settings()).title == "GroupLake transactional API"
