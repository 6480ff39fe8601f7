"""Login (OAuth2 password flow), tokens, API keys, user administration, rate limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.transactional.factories import PASSWORD
from transactional.db.tables.core import audit_log


def login(client, username: str, password: str = PASSWORD):
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_password_login_issues_a_token_with_role_and_unit(client) -> None:
    response = login(client, "procurement_coal")
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["role"] == "procurement" and me["business_unit"] == "COAL"
    assert me["username"] == "procurement_coal"


@pytest.mark.parametrize(("username", "password"), [("buyer_coal", "wrong-password"),
                                                    ("nobody", PASSWORD)])
def test_bad_credentials_are_one_401(client, username: str, password: str) -> None:
    response = login(client, username, password)
    assert response.status_code == 401
    assert response.json()["error"] == {"code": "unauthenticated",
                                        "message": "incorrect username or password",
                                        "details": None}
    assert response.headers["www-authenticate"] == "Bearer"


def test_requests_without_or_with_bad_credentials_are_401(client) -> None:
    assert client.get("/api/v1/orders").status_code == 401
    bad = client.get("/api/v1/orders", headers={"Authorization": "Bearer not.a.jwt"})
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/v1/orders", headers={"X-API-Key": "glk_x_y"}).status_code == 401


def test_login_backs_off_per_user_and_address(client, tx_settings) -> None:
    client.app.state.context.login_guard.base_s = 30.0  # no lock expires mid-test
    statuses = [login(client, "buyer_coal", "wrong-password").status_code for _ in range(7)]
    assert statuses == [401] * 6 + [429]  # OLTP__LOGIN_FREE_FAILURES=5, then a lock
    limited = login(client, "buyer_coal")
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 30
    assert limited.json()["error"]["code"] == "rate_limited"
    assert login(client, "buyer_coal2").status_code == 200  # other users are not affected


def test_login_limits_come_from_settings(world_template, tmp_path, monkeypatch,
                                         settings) -> None:
    import shutil

    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    shutil.copyfile(world_template[0], tmp_path / "x.db")
    monkeypatch.setenv("OLTP__DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.setenv("OLTP__LOGIN_IP_RATE_PER_MINUTE", "2")
    reset_settings_cache()
    with TestClient(create_app(get_settings())) as client:
        assert [login(client, f"nobody{i}", "x").status_code for i in range(3)] == [401, 401,
                                                                                    429]


def test_admin_creates_users_and_unit_admins_stay_in_their_unit(client, world, db) -> None:
    body = {"username": "new.buyer", "password": "long-enough-pw", "role": "buyer",
            "business_unit": "COAL"}
    created = client.post("/api/v1/users", json=body, headers=world.headers("admin_coal"))
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "buyer" and "password" not in created.text
    assert login(client, "new.buyer", "long-enough-pw").status_code == 200
    other_unit = {**body, "username": "power.buyer", "business_unit": "POWER"}
    assert client.post("/api/v1/users", json=other_unit,
                       headers=world.headers("admin_coal")).status_code == 403
    new_admin = {**body, "username": "new.admin", "role": "admin"}
    assert client.post("/api/v1/users", json=new_admin,
                       headers=world.headers("admin_coal")).status_code == 403
    assert client.post("/api/v1/users", json={**body, "username": "buyer.x2"},
                       headers=world.headers("buyer_coal")).status_code == 403
    dup = client.post("/api/v1/users", json=body, headers=world.headers("admin"))
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "username_taken"
    with db.read() as session:
        actions = session.execute(select(audit_log.c.action, audit_log.c.object_id)
                                  .where(audit_log.c.action == "user.create")).all()
    assert ("user.create", str(created.json()["id"])) in actions


def test_api_keys_authenticate_and_can_be_revoked(client, world) -> None:
    buyer = world.users["buyer_coal"]
    minted = client.post(f"/api/v1/users/{buyer.user_id}/api-keys", json={"name": "erp-sync"},
                         headers=world.headers("admin"))
    assert minted.status_code == 201
    secret = minted.json()["secret"]
    me = client.get("/api/v1/auth/me", headers={"X-API-Key": secret})
    assert me.status_code == 200 and me.json()["user_id"] == buyer.user_id
    key_id = minted.json()["id"]
    revoked = client.delete(f"/api/v1/users/{buyer.user_id}/api-keys/{key_id}",
                            headers=world.headers("admin"))
    assert revoked.status_code == 204
    assert client.get("/api/v1/auth/me", headers={"X-API-Key": secret}).status_code == 401


def test_users_can_read_themselves_but_not_others(client, world) -> None:
    me = world.users["buyer_coal"]
    assert client.get(f"/api/v1/users/{me.user_id}",
                      headers=world.headers("buyer_coal")).status_code == 200
    other = world.users["buyer_coal2"]
    assert client.get(f"/api/v1/users/{other.user_id}",
                      headers=world.headers("buyer_coal")).status_code == 404
    listing = client.get("/api/v1/users", headers=world.headers("admin_power")).json()
    assert {u["business_unit"] for u in listing["items"]} == {"POWER"}
