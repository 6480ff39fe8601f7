"""The audit log's hash chain: an edit, a deletion or a reordering shows.

Every row carries ``prev_hash`` (the ``row_hash`` of the row before it; the first chained
row: :data:`GENESIS`) and ``row_hash`` = SHA-256 over :func:`canonical` — a fixed JSON
serialisation of the row's content plus its ``prev_hash``. Rows are appended in the
transaction of the change they record, after taking the log's append lock
(:func:`lock_for_append`: a transaction-scoped advisory lock on PostgreSQL; on SQLite every
write transaction already holds the database's write lock, ``BEGIN IMMEDIATE``), so two
writers can never both chain onto the same row and fork it.

:func:`verify` walks the log in id order and names the first row whose hash or link does
not hold. Rows written before the chain existed (NULL hashes, only ever at the start) are
counted as unchained. Truncating the newest rows leaves a valid shorter chain: compare the
head (``count``, ``head``) with one recorded elsewhere to see that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from transactional.db.tables.core import audit_log

#: ``prev_hash`` of the first chained row.
GENESIS = "0" * 64
#: The fields a row hash covers (with ``prev_hash``), in the canonical order.
FIELDS = ("occurred_at", "actor_user_id", "actor_role", "action", "object_type", "object_id",
          "business_unit", "details")
#: Arbitrary, fixed key of the PostgreSQL advisory lock that serialises appends.
ADVISORY_KEY = 0x6175646974  # "audit"


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping[str, Any], prev_hash: str) -> bytes:
    """The bytes a row's hash covers: its fields and ``prev_hash`` as compact, key-sorted
    JSON (timestamps as UTC with microseconds)."""
    body = {k: row[k] for k in FIELDS}
    body["occurred_at"] = _stamp(body["occurred_at"])
    body["prev_hash"] = prev_hash
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode()


def row_hash(row: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 (hex) of :func:`canonical`."""
    return hashlib.sha256(canonical(row, prev_hash)).hexdigest()


def lock_for_append(session: Session) -> None:
    """Serialise appends until the transaction ends (PostgreSQL advisory lock; SQLite's
    write transactions are already serial)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_KEY})


def head(session: Session) -> str:
    """The ``row_hash`` a new row chains onto (:data:`GENESIS` for the first)."""
    last = session.execute(select(audit_log.c.row_hash).order_by(audit_log.c.id.desc())
                           .limit(1)).scalar()
    return last or GENESIS


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`."""

    checked: int  # chained rows whose hash and link hold
    unchained: int  # rows written before the chain existed
    head: str  # row_hash of the last good row
    broken_id: int | None = None  # the first row that does not hold
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify(session: Session, batch: int = 5000) -> Verdict:
    """Check every row of the audit log, in id order, and stop at the first broken one.

    A row is broken when its ``row_hash`` is not the hash of its content (edited), or its
    ``prev_hash`` is not the previous row's ``row_hash`` (a row deleted before it, or rows
    reordered), or it has no hash after the chain has started.
    """
    checked = unchained = 0
    previous: str | None = None
    last_id = 0
    while True:
        rows = session.execute(select(audit_log).where(audit_log.c.id > last_id)
                               .order_by(audit_log.c.id).limit(batch)).all()
        if not rows:
            return Verdict(checked, unchained, previous or GENESIS)
        for row in rows:
            m = row._mapping
            last_id = m["id"]
            if m["row_hash"] is None and m["prev_hash"] is None and previous is None:
                unchained += 1
                continue
            expected_prev = previous or GENESIS
            problem = None
            if m["row_hash"] is None or m["prev_hash"] is None:
                problem = "row has no hash after the chain started"
            elif m["prev_hash"] != expected_prev:
                problem = "prev_hash does not match the previous row (deleted or reordered)"
            elif row_hash(m, m["prev_hash"]) != m["row_hash"]:
                problem = "row_hash does not match the row's content (edited)"
            if problem:
                return Verdict(checked, unchained, expected_prev, m["id"], problem)
            previous = m["row_hash"]
            checked += 1
