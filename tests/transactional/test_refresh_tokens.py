"""Refresh tokens: a login returns one, it buys new access tokens, it is no access token
itself, and logout or disabling the user revokes it with the access tokens."""

from __future__ import annotations

import jwt

from tests.transactional.factories import PASSWORD


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client, username: str) -> dict:
    response = client.post("/api/v1/auth/token", data={"username": username,
                                                       "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()


def _refresh(client, token: str):
    return client.post("/api/v1/auth/refresh", json={"refresh_token": token})


def test_a_refresh_token_buys_access_tokens_until_logout(client, world) -> None:
    tokens = _login(client, "buyer_coal")
    assert tokens["refresh_expires_in"] == 720 * 60 and tokens["expires_in"] == 3600
    claims = jwt.decode(tokens["refresh_token"], options={"verify_signature": False})
    assert claims["iss"] == "grouplake/refresh" and claims["scope"] == "refresh"
    # a refresh token is no access token, and an access token is no refresh token
    assert client.get("/api/v1/orders", headers=_bearer(tokens["refresh_token"])
                      ).status_code == 401
    assert _refresh(client, tokens["access_token"]).status_code == 401
    renewed = _refresh(client, tokens["refresh_token"])
    assert renewed.status_code == 200, renewed.text
    body = renewed.json()
    assert body["refresh_token"] is None and body["scope"] == "full"
    me = client.get("/api/v1/auth/me", headers=_bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == "buyer_coal"
    assert client.post("/api/v1/auth/logout",
                       headers=_bearer(body["access_token"])).status_code == 204
    revoked = _refresh(client, tokens["refresh_token"])
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]
    assert _refresh(client, "not-a-token").status_code == 401
    assert client.post("/api/v1/auth/refresh", json={}).status_code == 422


def test_disabling_a_user_revokes_its_refresh_token(client, world) -> None:
    tokens = _login(client, "buyer_coal2")
    user_id = world.users["buyer_coal2"].user_id
    assert client.post(f"/api/v1/users/{user_id}/disable",
                       headers=world.headers("admin_coal")).status_code == 200
    refused = _refresh(client, tokens["refresh_token"])
    assert refused.status_code == 401 and "disabled" in refused.json()["error"]["message"]
