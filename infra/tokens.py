"""Signed access tokens shared by the transactional and the serving API.

Users live in the transactional database; both APIs trust the same signed JWT, so the
signing and verification code lives here, once. A token carries ``sub`` (the user's id),
``role``, ``business_unit`` and, for suppliers, ``supplier_id``, plus ``iss``, ``iat``,
``exp`` and ``jti``. Secret, algorithm, lifetime (capped by ``max_token_ttl_minutes``, on
issue and on verify) and issuer come from ``get_settings().auth``; outside ``env=local`` a
missing or placeholder secret is refused (:meth:`infra.settings.Settings.require_secrets`).
The transactional API also re-checks the user behind every token (``identity/sessions.py``).

HS256 (a shared secret) is the default. For RS*/ES*/EdDSA, ``AUTH__JWT_SECRET`` holds the
private key (PEM) used to sign and ``AUTH__JWT_PUBLIC_KEY`` the public key used to verify,
so a verifying-only service never needs the private key.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt

from infra.settings import Settings, get_settings

#: Every role a token may carry (DESIGN.md, "Transactional service").
ROLES: tuple[str, ...] = ("buyer", "supplier", "procurement", "finance", "admin")

_RESERVED = frozenset({"sub", "role", "business_unit", "supplier_id", "iss", "iat", "exp", "jti"})


class TokenError(Exception):
    """A token could not be accepted; ``str(error)`` is safe to show to the caller."""


class TokenExpiredError(TokenError):
    """The token was valid once but its ``exp`` has passed."""


class TokenInvalidError(TokenError):
    """Bad signature, wrong issuer, malformed, or missing / inconsistent claims."""


@dataclass(frozen=True)
class Claims:
    """The verified content of a token."""

    sub: str
    role: str
    business_unit: str | None
    supplier_id: str | None
    issued_at: dt.datetime
    expires_at: dt.datetime
    token_id: str
    issuer: str
    extra: Mapping[str, Any] = field(default_factory=dict)


def _signing_key(settings: Settings) -> str:
    settings.require_secrets()
    secret = settings.auth.jwt_secret
    if secret is None or not secret.get_secret_value():
        raise TokenError("no signing secret configured (AUTH__JWT_SECRET)")
    return secret.get_secret_value()


def _verifying_key(settings: Settings) -> str:
    if settings.auth.jwt_algorithm.upper().startswith("HS"):
        return _signing_key(settings)
    if settings.auth.jwt_public_key:
        return settings.auth.jwt_public_key
    return _signing_key(settings)


def issue_token(
    sub: str,
    role: str,
    business_unit: str | None,
    supplier_id: str | None = None,
    ttl: dt.timedelta | None = None,
    *,
    extra_claims: Mapping[str, Any] | None = None,
    settings: Settings | None = None,
) -> str:
    """Sign a token for one principal.

    Args:
        sub: the user's stable id (the transactional service uses ``str(user_id)``).
        role: one of :data:`ROLES`.
        business_unit: the business-unit code the principal is scoped to (``None``: group-wide).
        supplier_id: required when ``role == "supplier"``, refused otherwise.
        ttl: lifetime; default ``settings.auth.token_ttl_minutes``; at most
            ``settings.auth.max_token_ttl_minutes`` (``ValueError`` beyond).
        extra_claims: additional non-reserved claims (e.g. ``{"name": "alice"}``).
        settings: defaults to :func:`infra.settings.get_settings`.

    Returns:
        The compact JWT string.

    Example:
        >>> token = issue_token("42", "buyer", "COAL")  # doctest: +SKIP
        >>> verify_token(token).business_unit  # doctest: +SKIP
        'COAL'
    """
    settings = settings or get_settings()
    _check_role(role, supplier_id)
    now = dt.datetime.now(dt.UTC)
    lifetime = ttl if ttl is not None else dt.timedelta(minutes=settings.auth.token_ttl_minutes)
    if lifetime > _max_lifetime(settings):
        raise ValueError(f"a token may live at most {settings.auth.max_token_ttl_minutes} "
                         "minutes (AUTH__MAX_TOKEN_TTL_MINUTES)")
    payload: dict[str, Any] = {
        "sub": str(sub),
        "role": role,
        "business_unit": business_unit,
        "iss": settings.auth.issuer,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if supplier_id is not None:
        payload["supplier_id"] = supplier_id
    for key, value in (extra_claims or {}).items():
        if key in _RESERVED:
            raise ValueError(f"extra claim {key!r} is reserved")
        payload[key] = value
    return jwt.encode(payload, _signing_key(settings), algorithm=settings.auth.jwt_algorithm)


def verify_token(token: str, *, settings: Settings | None = None) -> Claims:
    """Check a token's signature, issuer and lifetime and return its claims.

    Args:
        token: the compact JWT (without the ``Bearer`` prefix).
        settings: defaults to :func:`infra.settings.get_settings`.

    Returns:
        The verified :class:`Claims`.

    Raises:
        TokenExpiredError: the token has expired.
        TokenInvalidError: anything else wrong with it, including a lifetime
            (``exp - iat``) above ``settings.auth.max_token_ttl_minutes``.
    """
    settings = settings or get_settings()
    try:
        payload = jwt.decode(
            token,
            _verifying_key(settings),
            algorithms=[settings.auth.jwt_algorithm],
            issuer=settings.auth.issuer,
            options={"require": ["sub", "exp", "iat", "iss"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpiredError("token has expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenInvalidError(f"invalid token: {exc}") from exc
    if not isinstance(payload["iat"], int | float) or not isinstance(payload["exp"], int | float):
        raise TokenInvalidError("invalid token: iat and exp must be numeric dates")
    if dt.timedelta(seconds=payload["exp"] - payload["iat"]) > _max_lifetime(settings):
        raise TokenInvalidError(
            f"invalid token: it would live longer than the allowed "
            f"{settings.auth.max_token_ttl_minutes} minutes")
    role = payload.get("role")
    supplier_id = payload.get("supplier_id")
    business_unit = payload.get("business_unit")
    if not isinstance(role, str) or (business_unit is not None and not isinstance(business_unit, str)):
        raise TokenInvalidError("invalid token: malformed role or business_unit claim")
    try:
        _check_role(role, supplier_id)
    except ValueError as exc:
        raise TokenInvalidError(f"invalid token: {exc}") from exc
    return Claims(
        sub=str(payload["sub"]),
        role=role,
        business_unit=business_unit,
        supplier_id=supplier_id,
        issued_at=dt.datetime.fromtimestamp(payload["iat"], dt.UTC),
        expires_at=dt.datetime.fromtimestamp(payload["exp"], dt.UTC),
        token_id=str(payload.get("jti", "")),
        issuer=payload["iss"],
        extra={k: v for k, v in payload.items() if k not in _RESERVED},
    )


def _max_lifetime(settings: Settings) -> dt.timedelta:
    return dt.timedelta(minutes=settings.auth.max_token_ttl_minutes)


def _check_role(role: str, supplier_id: str | None) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if role == "supplier" and not supplier_id:
        raise ValueError("a supplier token needs supplier_id")
    if role != "supplier" and supplier_id is not None:
        raise ValueError("only supplier tokens carry supplier_id")
