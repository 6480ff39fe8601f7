"""infra/tokens.py: the JWT code both APIs share."""

from __future__ import annotations

import datetime as dt

import jwt
import pytest

from infra.tokens import (
    TokenExpiredError,
    TokenInvalidError,
    issue_token,
    verify_token,
)


def test_round_trip_carries_the_design_claims(settings) -> None:
    token = issue_token("42", "supplier", None, "SUP-1", extra_claims={"name": "s"})
    claims = verify_token(token)
    assert (claims.sub, claims.role, claims.business_unit, claims.supplier_id) == (
        "42", "supplier", None, "SUP-1")
    assert claims.issuer == "grouplake" and claims.extra == {"name": "s"}
    assert claims.expires_at - claims.issued_at == dt.timedelta(minutes=60)


def test_refuses_tampered_expired_foreign_and_inconsistent_tokens(settings, monkeypatch) -> None:
    token = issue_token("1", "buyer", "COAL")
    header, payload, signature = token.split(".")
    with pytest.raises(TokenInvalidError):
        verify_token(f"{header}.{payload}.{signature[::-1]}")
    with pytest.raises(TokenExpiredError):
        verify_token(issue_token("1", "buyer", "COAL", ttl=dt.timedelta(seconds=-60)))
    secret = settings.auth.jwt_secret.get_secret_value()
    now = int(dt.datetime.now(dt.UTC).timestamp())
    base = {"sub": "1", "iat": now, "exp": now + 60, "iss": "grouplake"}
    for bad in ({**base, "iss": "someone-else", "role": "buyer"},
                {**base, "role": "superuser"},
                {**base, "role": "supplier"},  # supplier without supplier_id
                {**base, "role": "buyer", "supplier_id": "SUP-1"}):
        with pytest.raises(TokenInvalidError):
            verify_token(jwt.encode(bad, secret, algorithm="HS256"))
    with pytest.raises(TokenInvalidError):  # "none" algorithm is never accepted
        verify_token(jwt.encode({**base, "role": "buyer"}, None, algorithm="none"))
    with pytest.raises(ValueError):
        issue_token("1", "buyer", "COAL", extra_claims={"role": "admin"})


def test_production_refuses_the_placeholder_secret(settings, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache

    monkeypatch.setenv("ENV", "production")
    reset_settings_cache()
    with pytest.raises(RuntimeError, match="AUTH__JWT_SECRET"):
        issue_token("1", "buyer", "COAL", settings=get_settings())
    monkeypatch.setenv("AUTH__JWT_SECRET", "x" * 40)
    reset_settings_cache()
    assert verify_token(issue_token("1", "buyer", "COAL")).sub == "1"
