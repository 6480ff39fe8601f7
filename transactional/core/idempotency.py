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

A request's key, the hash of what it asked and the key's lifetime travel together as one
:class:`IdempotentRequest`; :func:`run_once` is the one path every idempotent write takes
(order placement with its required key, status changes and adjustments with an optional one).
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
from transactional.db.tables.core import idempotency_keys
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


#: How long a key is remembered unless the caller says otherwise (``oltp.idempotency_ttl_hours``).
DEFAULT_TTL = dt.timedelta(hours=24)


@dataclass(frozen=True)
class StoredResponse:
    """The response recorded for a key."""

    status_code: int
    body: dict[str, Any]
    resource_type: str
    resource_id: str


@dataclass(frozen=True)
class IdempotentRequest:
    """An ``Idempotency-Key``, the hash of the request it was sent with, and its lifetime.

    Example:
        >>> a = IdempotentRequest.of("k1", "POST", "/x", {"b": 1, "a": 2})
        >>> a == IdempotentRequest.of("k1", "post", "/x", {"a": 2, "b": 1})
        True
    """

    key: str
    request_hash: str
    ttl: dt.timedelta = DEFAULT_TTL

    def __post_init__(self) -> None:
        if not 0 < len(self.key) <= MAX_KEY_LENGTH:
            raise ValueError(f"an idempotency key has 1 to {MAX_KEY_LENGTH} characters")

    @classmethod
    def of(cls, key: str, method: str, path: str, body: Any,
           ttl: dt.timedelta = DEFAULT_TTL) -> IdempotentRequest:
        """The key of a request, its hash taken over method, path and validated body."""
        return cls(key, fingerprint(method, path, body), ttl)


@dataclass(frozen=True)
class Outcome:
    """What an idempotent write answers: the body, its status, and whether it was replayed."""

    body: dict[str, Any]
    status_code: int
    replayed: bool


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the canonical JSON of a request (method, path, validated body).

    Example:
        >>> fingerprint("POST", "/x", {"b": 1, "a": 2}) == fingerprint("POST", "/x", {"a": 2, "b": 1})
        True
    """
    canonical = json.dumps([method.upper(), path, body], sort_keys=True, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _claim(session: Session, user_id: int, request: IdempotentRequest) -> StoredResponse | None:
    """Check a key at the start of a write transaction: the response to replay, or None.

    Raises:
        IdempotencyInFlightError: another transaction holds the key (PostgreSQL).
        IdempotencyMismatchError: the key was used for a different request.
    """
    key = request.key
    if session.connection().dialect.name == "postgresql":
        got = _TRY_LOCK.execute(session, {"k": f"idempotency:{user_id}:{key}"}).scalar_one()
        if not got:
            raise IdempotencyInFlightError(
                "a request with this Idempotency-Key is still being processed; retry shortly"
            )
    row = _FIND.execute(session, {"u": user_id, "k": key}).first()
    if row is None:
        return None
    if row.created_at < utcnow() - request.ttl:
        session.connection().execute(_FORGET, {"u": user_id, "k": key})
        return None
    if row.request_hash != request.request_hash:
        raise IdempotencyMismatchError(
            "this Idempotency-Key was already used with a different request body",
            details={"resource_type": row.resource_type, "resource_id": row.resource_id},
        )
    return StoredResponse(row.status_code, row.response, row.resource_type, row.resource_id)


def _remember(session: Session, user_id: int, request: IdempotentRequest,
              response: StoredResponse) -> None:
    """Record the response for a key, in the transaction that produced it."""
    _REMEMBER.execute(session, {
        "user_id": user_id, "key": request.key, "request_hash": request.request_hash,
        "status_code": response.status_code, "response": response.body,
        "resource_type": response.resource_type, "resource_id": response.resource_id,
        "created_at": utcnow(),
    })


def run_once(
    session: Session, user_id: int, request: IdempotentRequest | None, resource_type: str,
    action: Callable[[], tuple[dict[str, Any], str]], status_code: int = 200,
) -> Outcome:
    """Run ``action`` at most once per key of ``user_id`` (every time when ``request`` is None).

    Call it inside the write transaction that makes the change: the key row is written in it,
    so a refused request (the action raised) leaves no key and may be retried with it.

    Args:
        request: the key, request hash and TTL; None runs ``action`` without a key.
        resource_type: what the action changes (``"order"``), recorded with the key.
        action: performs the change; returns ``(JSON-ready response body, resource id)``.
        status_code: the status of a first (not replayed) answer.

    Returns:
        The body and status to answer with; on a replay, the stored ones.

    Raises:
        IdempotencyInFlightError, IdempotencyMismatchError: see the module doc.

    Example:
        >>> run_once(s, 7, IdempotentRequest("k", "h"), "order", place, 201)  # doctest: +SKIP
        Outcome(body={...}, status_code=201, replayed=False)
    """
    if request is not None:
        stored = _claim(session, user_id, request)
        if stored is not None:
            return Outcome(stored.body, stored.status_code, replayed=True)
    body, resource_id = action()
    if request is not None:
        _remember(session, user_id, request,
                  StoredResponse(status_code, body, resource_type, resource_id))
    return Outcome(body, status_code, replayed=False)

