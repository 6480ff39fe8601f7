"""Users, passwords and API keys.

Passwords are hashed with Argon2id (argon2-cffi, RFC 9106 parameters); a login for an
unknown user still verifies against a dummy hash, so response time does not reveal which
usernames exist. API keys are for systems: ``glk_<prefix>_<secret>``, shown once, stored as
a SHA-256 digest (they are 256-bit random, so a slow KDF adds nothing) and revocable.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit
from transactional.core.paging import fetch_page
from transactional.db.tables.identity import api_keys, business_units, suppliers, users
from transactional.db.types import utcnow
from transactional.domain.errors import (
    ConflictError,
    ForbiddenError,
    UnauthenticatedError,
    ValidationFailedError,
)
from transactional.domain.principal import Principal, Role, not_found

USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{3,64}$")
MIN_PASSWORD = 8
API_KEY_PREFIX = "glk"


@functools.lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (constant-time)."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _public(row: Any) -> dict[str, Any]:
    return {
        "id": row.id, "username": row.username, "role": row.role,
        "business_unit": row.business_unit, "supplier_id": row.supplier_id,
        "is_active": row.is_active, "created_at": row.created_at,
    }


def principal_of(row: Any) -> Principal:
    """The :class:`Principal` a ``users`` row acts as."""
    return Principal(row.id, Role(row.role), row.business_unit, row.supplier_id, row.username)


def create_user(
    session: Session,
    actor: Principal,
    *,
    username: str,
    password: str,
    role: str,
    business_unit: str | None = None,
    supplier_id: str | None = None,
    password_hash: str | None = None,
) -> dict[str, Any]:
    """Create a user (admins only; a unit admin only inside its unit, never an admin).

    Args:
        password_hash: a precomputed Argon2 hash (bulk loads); ``password`` is then ignored.

    Returns:
        The public user record.

    Raises:
        ForbiddenError, ValidationFailedError, ConflictError (username taken).
    """
    actor.require(Role.ADMIN)
    problems: list[str] = []
    if not USERNAME.match(username or ""):
        problems.append("username: 3-64 letters, digits or _.@-")
    if password_hash is None and len(password or "") < MIN_PASSWORD:
        problems.append(f"password: at least {MIN_PASSWORD} characters")
    if role not in {r.value for r in Role}:
        problems.append(f"role: one of {', '.join(r.value for r in Role)}")
    elif role == Role.SUPPLIER and not supplier_id:
        problems.append("supplier users need supplier_id")
    elif role != Role.SUPPLIER and supplier_id:
        problems.append("only supplier users have a supplier_id")
    elif role in (Role.BUYER, Role.PROCUREMENT, Role.FINANCE) and not business_unit:
        problems.append(f"{role} users need a business_unit")
    if problems:
        raise ValidationFailedError("invalid user", details={"problems": problems})
    if not actor.is_group_admin and (
        business_unit != actor.business_unit or role in (Role.ADMIN, Role.SUPPLIER)
    ):
        raise ForbiddenError("a business-unit admin creates only non-admin users of its unit")
    if business_unit and not _bu_exists(session, business_unit):
        raise ValidationFailedError(f"unknown business unit {business_unit!r}")
    if supplier_id and session.execute(
        select(suppliers.c.id).where(suppliers.c.id == supplier_id)
    ).first() is None:
        raise ValidationFailedError(f"unknown supplier {supplier_id!r}")
    if session.execute(select(users.c.id).where(users.c.username == username)).first():
        raise ConflictError(f"username {username!r} is taken", code="username_taken")
    values = {
        "username": username,
        "password_hash": password_hash or hash_password(password),
        "role": role, "business_unit": business_unit, "supplier_id": supplier_id,
        "is_active": True, "created_at": utcnow(),
    }
    try:
        with session.begin_nested():
            user_id = session.execute(insert(users).values(**values).returning(users.c.id))
            user_id = user_id.scalar_one()
    except IntegrityError as exc:
        raise ConflictError(f"username {username!r} is taken", code="username_taken") from exc
    audit.record(
        session, actor, "user.create", "user", user_id, business_unit=business_unit,
        details={"username": username, "role": role, "supplier_id": supplier_id},
    )
    return _public(session.execute(select(users).where(users.c.id == user_id)).one())


def _bu_exists(session: Session, code: str) -> bool:
    row = select(business_units.c.code).where(business_units.c.code == code)
    return session.execute(row).first() is not None


def authenticate(session: Session, username: str, password: str) -> Principal:
    """Check a username and password.

    Raises:
        UnauthenticatedError: unknown user, wrong password or inactive user (one message).
    """
    row = session.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        verify_password(_dummy_hash(), password)
        raise UnauthenticatedError("incorrect username or password")
    if not verify_password(row.password_hash, password) or not row.is_active:
        raise UnauthenticatedError("incorrect username or password")
    return principal_of(row)


def _user_in_scope(session: Session, actor: Principal, user_id: int) -> Any:
    row = session.execute(select(users).where(users.c.id == user_id)).first()
    visible = row is not None and (
        row.id == actor.user_id
        or (actor.role is Role.ADMIN and actor.can_see_business_unit(row.business_unit))
    )
    if not visible:
        raise not_found("user", user_id)
    return row


def get_user(session: Session, actor: Principal, user_id: int) -> dict[str, Any]:
    """A user: yourself, or any user of your unit when you are its admin."""
    return _public(_user_in_scope(session, actor, user_id))


def list_users(session: Session, actor: Principal, page: PageRequest) -> Page[dict[str, Any]]:
    """Users an admin may see (a unit admin: its unit's users)."""
    actor.require(Role.ADMIN)
    query = select(users).order_by(users.c.id)
    if not actor.is_group_admin:
        query = query.where(users.c.business_unit == actor.business_unit)
    rows, total = fetch_page(session, query, page)
    return Page.of([_public(r) for r in rows], total, page)


def _key_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(
    session: Session, actor: Principal, user_id: int, name: str
) -> tuple[dict[str, Any], str]:
    """Mint an API key acting as user ``user_id`` (admins, within their scope).

    Returns:
        ``(key record, secret)``; the secret is never stored nor shown again.
    """
    actor.require(Role.ADMIN)
    owner = _user_in_scope(session, actor, user_id)
    prefix = secrets.token_hex(6)
    secret = f"{API_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    now = utcnow()
    key_id = session.execute(
        insert(api_keys).values(
            user_id=owner.id, name=name, prefix=prefix, key_hash=_key_hash(secret),
            created_at=now,
        ).returning(api_keys.c.id)
    ).scalar_one()
    audit.record(session, actor, "api_key.create", "api_key", key_id,
                 business_unit=owner.business_unit, details={"user_id": owner.id, "name": name})
    record = {"id": key_id, "user_id": owner.id, "name": name, "prefix": prefix,
              "created_at": now, "revoked_at": None}
    return record, secret


def revoke_api_key(session: Session, actor: Principal, user_id: int, key_id: int) -> None:
    """Revoke one of a user's keys (admins, within scope); revoking twice is harmless."""
    actor.require(Role.ADMIN)
    owner = _user_in_scope(session, actor, user_id)
    found = session.execute(
        select(api_keys.c.id).where(api_keys.c.id == key_id, api_keys.c.user_id == owner.id)
    ).first()
    if found is None:
        raise not_found("api key", key_id)
    session.execute(
        update(api_keys)
        .where(api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    audit.record(session, actor, "api_key.revoke", "api_key", key_id,
                 business_unit=owner.business_unit, details={"user_id": owner.id})


def resolve_api_key(session: Session, secret: str) -> Principal:
    """The principal an API key acts as.

    Raises:
        UnauthenticatedError: unknown, malformed or revoked key, or inactive user.
    """
    if not secret.startswith(API_KEY_PREFIX + "_"):
        raise UnauthenticatedError("invalid API key")
    row = session.execute(
        select(users)
        .join(api_keys, api_keys.c.user_id == users.c.id)
        .where(api_keys.c.key_hash == _key_hash(secret), api_keys.c.revoked_at.is_(None))
    ).first()
    if row is None or not row.is_active:
        raise UnauthenticatedError("invalid API key")
    return principal_of(row)
