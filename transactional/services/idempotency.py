"""Idempotency keys: a retried request gets the original response, never a second effect.

Keys are per user. The key row is written in the *same* transaction as the effect, so
either both exist or neither does (a refused request — out of stock, say — leaves no key
and may be retried with it). Semantics:

* same key, same request → the stored original response (``replayed``);
* same key, different request → :class:`IdempotencyMismatchError` (HTTP 422);
* same key while the first request is still running → :class:`IdempotencyInFlightError`
  (HTTP 409). On PostgreSQL the running request holds a transaction-scoped advisory lock on
  the key, which a duplicate tries without waiting. On SQLite the write lock
  (``BEGIN IMMEDIATE``) already serialises the two, so the duplicate waits and replays.
* keys older than ``ttl`` are forgotten (the key may then be reused).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.orm import Session

from transactional.db.fastpath import HotStatement
from transactional.db.tables import idempotency_keys
from transactional.db.types import utcnow
from transactional.domain.errors import IdempotencyInFlightError, IdempotencyMismatchError

MAX_KEY_LENGTH = 255

# Built once: the hot path only binds parameters (no per-call statement construction).
_TRY_LOCK = HotStatement(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"))
_FIND = HotStatement(select(idempotency_keys).where(
    idempotency_keys.c.user_id == bindparam("u"), idempotency_keys.c.key == bindparam("k")))
_FORGET = delete(idempotency_keys).where(
    idempotency_keys.c.user_id == bindparam("u"), idempotency_keys.c.key == bindparam("k"))
_REMEMBER = HotStatement(insert(idempotency_keys), json_params=("response",))


@dataclass(frozen=True)
class StoredResponse:
    """The response recorded for a key."""

    status_code: int
    body: dict[str, Any]
    resource_type: str
    resource_id: str


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the canonical JSON of a request (method, path, validated body).

    Example:
        >>> fingerprint("POST", "/x", {"b": 1, "a": 2}) == fingerprint("POST", "/x", {"a": 2, "b": 1})
        True
    """
    canonical = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def claim(
    session: Session, user_id: int, key: str, request_hash: str, ttl: dt.timedelta
) -> StoredResponse | None:
    """Check a key at the start of a write transaction.

    Returns:
        The stored response to replay, or ``None`` when the request should run.

    Raises:
        IdempotencyInFlightError: another transaction holds the key (PostgreSQL).
        IdempotencyMismatchError: the key was used for a different request.
    """
    if session.connection().dialect.name == "postgresql":
        got = _TRY_LOCK.execute(session, {"k": f"idempotency:{user_id}:{key}"}).scalar_one()
        if not got:
            raise IdempotencyInFlightError(
                "a request with this Idempotency-Key is still being processed; retry shortly"
            )
    row = _FIND.execute(session, {"u": user_id, "k": key}).first()
    if row is None:
        return None
    if row.created_at < utcnow() - ttl:
        session.connection().execute(_FORGET, {"u": user_id, "k": key})
        return None
    if row.request_hash != request_hash:
        raise IdempotencyMismatchError(
            "this Idempotency-Key was already used with a different request body",
            details={"resource_type": row.resource_type, "resource_id": row.resource_id},
        )
    return StoredResponse(row.status_code, row.response, row.resource_type, row.resource_id)


def remember(
    session: Session, user_id: int, key: str, request_hash: str, response: StoredResponse
) -> None:
    """Record the response for a key, in the transaction that produced it."""
    _REMEMBER.execute(session, {
        "user_id": user_id, "key": key, "request_hash": request_hash,
        "status_code": response.status_code, "response": response.body,
        "resource_type": response.resource_type, "resource_id": response.resource_id,
        "created_at": utcnow(),
    })


def purge_expired(session: Session, ttl: dt.timedelta) -> int:
    """Delete keys older than ``ttl``; returns how many."""
    result = session.execute(
        delete(idempotency_keys).where(idempotency_keys.c.created_at < utcnow() - ttl)
    )
    return int(result.rowcount or 0)


def run_idempotent(
    session: Session, user_id: int, key: str, request_hash: str, ttl: dt.timedelta,
    resource_type: str, action: Callable[[], tuple[dict[str, Any], str]],
    status_code: int = 200,
) -> tuple[StoredResponse, bool]:
    """Run ``action`` once per key: ``(response, replayed)``.

    Args:
        action: performs the change and returns ``(response body, resource id)``.
    """
    stored = claim(session, user_id, key, request_hash, ttl)
    if stored is not None:
        return stored, True
    body, resource_id = action()
    response = StoredResponse(status_code, body, resource_type, resource_id)
    remember(session, user_id, key, request_hash, response)
    return response, False
