"""Whether the user behind a token may still act: re-checked on every request.

A signed token only says who the user *was* when it was issued. Every authenticated request
compares it with the user's row (through :class:`UserCache`, a small per-process cache
whose entries live ``auth.user_cache_ttl_s`` seconds): the user must exist, be active, have
the role, business unit and supplier the token claims, and the token's version (``ver``)
must be the user's current ``token_version``. Logging out (:func:`logout`), disabling a
user (:func:`set_active`) bump that version, which revokes every token issued before.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from transactional.core import audit
from transactional.db.tables.identity import users
from transactional.domain.errors import UnauthenticatedError, ValidationFailedError
from transactional.domain.principal import Principal, Role, not_found
from transactional.identity.users import get_user


@dataclass(frozen=True)
class UserState:
    """What a request needs to know about the user behind its credentials."""

    user_id: int
    username: str
    role: str
    business_unit: str | None
    supplier_id: str | None
    is_active: bool
    token_version: int


def load_state(session: Session, user_id: int | None = None, *,
               username: str | None = None) -> UserState | None:
    """The current state of a user by id (or by ``username``), None when there is none."""
    where = users.c.id == user_id if username is None else users.c.username == username
    row = session.execute(select(
        users.c.id, users.c.username, users.c.role, users.c.business_unit,
        users.c.supplier_id, users.c.is_active, users.c.token_version,
    ).where(where)).first()
    if row is None:
        return None
    return UserState(row.id, row.username, row.role, row.business_unit, row.supplier_id,
                     bool(row.is_active), int(row.token_version))


def principal_for(state: UserState | None, role: str, business_unit: str | None,
                  supplier_id: str | None, version: Any) -> Principal:
    """The principal a verified token acts as, if its user may still act.

    Raises:
        UnauthenticatedError: unknown or inactive user, a role / unit / supplier that no
            longer matches, or a revoked token (older ``ver``); HTTP 401, log in again.
    """
    if state is None or not state.is_active:
        raise UnauthenticatedError("the token's user does not exist or is disabled")
    if (state.role, state.business_unit, state.supplier_id) != (role, business_unit,
                                                                 supplier_id):
        raise UnauthenticatedError("the token's role or scope is out of date; log in again")
    if not isinstance(version, int) or isinstance(version, bool) \
            or version != state.token_version:
        raise UnauthenticatedError("the token has been revoked; log in again")
    return Principal(state.user_id, Role(state.role), state.business_unit, state.supplier_id,
                     state.username)


class UserCache:
    """User states by id, each trusted for ``ttl_s`` seconds; at most ``size`` (LRU)."""

    def __init__(self, ttl_s: float, size: int) -> None:
        self.ttl_s = ttl_s
        self.size = max(1, size)
        self._entries: OrderedDict[int, tuple[float, UserState | None]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: int) -> tuple[bool, UserState | None]:
        """``(hit, state)``; a miss when absent or older than the TTL."""
        with self._lock:
            entry = self._entries.get(user_id)
            if entry is None or time.monotonic() - entry[0] >= self.ttl_s:
                return False, None
            self._entries.move_to_end(user_id)
            return True, entry[1]

    def put(self, user_id: int, state: UserState | None) -> None:
        """Remember a state just read from the database."""
        with self._lock:
            self._entries[user_id] = (time.monotonic(), state)
            self._entries.move_to_end(user_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, user_id: int) -> None:
        """Drop a user whose state this process has just changed."""
        with self._lock:
            self._entries.pop(user_id, None)


def _bump(session: Session, user_id: int) -> None:
    session.execute(update(users).where(users.c.id == user_id)
                    .values(token_version=users.c.token_version + 1))


def logout(session: Session, actor: Principal) -> None:
    """Revoke every token of the caller (they log in again); audited ``auth.logout``."""
    _bump(session, actor.user_id)
    audit.record(session, actor, "auth.logout", "user", actor.user_id,
                 business_unit=actor.business_unit)


def set_active(session: Session, actor: Principal, user_id: int, active: bool) -> dict:
    """Disable (revoking its tokens) or re-enable a user (admins, within their scope).

    Raises:
        ForbiddenError (not an admin), NotFoundError (absent or outside scope),
        ValidationFailedError (disabling yourself).
    """
    actor.require(Role.ADMIN)
    row = session.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or not actor.can_see_business_unit(row.business_unit):
        raise not_found("user", user_id)
    if user_id == actor.user_id and not active:
        raise ValidationFailedError("an admin cannot disable their own account")
    session.execute(update(users).where(users.c.id == user_id).values(is_active=active))
    _bump(session, user_id)
    audit.record(session, actor, "user.enable" if active else "user.disable", "user", user_id,
                 business_unit=row.business_unit, details={"username": row.username})
    return get_user(session, actor, user_id)
