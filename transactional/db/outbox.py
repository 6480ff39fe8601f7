"""The outbox table's write and read path: events queued on a session, inserted at commit.

Business code emits events through :func:`transactional.core.events.emit`, which builds the
envelope and hands it to :func:`queue`. The event is buffered on the session and inserted into
``outbox_events`` right before the transaction commits (the ``before_commit`` hook that
:class:`transactional.db.database.Database` installs, with :func:`discard_pending_events` on
rollback). So an event exists if and only if its business change committed.

Reading incrementally: ``outbox_events.sequence_id`` is strictly increasing *in commit
order*, so a reader that remembers the last ``sequence_id`` it saw never skips an event:

* SQLite: every write transaction holds the database write lock (``BEGIN IMMEDIATE``), so
  ids are assigned and committed one transaction at a time.
* PostgreSQL: sequence values are handed out at insert time and transactions may commit
  out of that order, which would let a reader skip a late-committing smaller id. The flush
  therefore takes a transaction-scoped advisory lock (:data:`OUTBOX_LOCK_KEY`) before
  inserting, held until commit: outbox inserts and commits are serialised, only for the few
  microseconds at the very end of each transaction (after every row lock is taken, so it
  cannot deadlock with them).

``event_id`` (a UUID) is the idempotency key downstream: re-reading an overlap is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from transactional.db.fastpath import HotStatement
from transactional.db.tables.core import outbox_events

#: Session.info key holding events not yet flushed.
PENDING_KEY = "grouplake_outbox_pending"
#: pg_advisory_xact_lock key serialising outbox inserts+commits (ASCII "outbox").
OUTBOX_LOCK_KEY = 0x6F7574626F78

_LOCK = HotStatement(text("SELECT pg_advisory_xact_lock(:k)"))
_INSERT = HotStatement(insert(outbox_events), json_params=("payload",))


def queue(session: Session, row: Mapping[str, Any]) -> None:
    """Buffer one ``outbox_events`` row (JSON-ready payload) until the session commits."""
    session.info.setdefault(PENDING_KEY, []).append(row)


def flush_pending_events(session: Session) -> None:
    """Insert the session's queued events (the ``before_commit`` hook; see module doc)."""
    pending = session.info.pop(PENDING_KEY, None)
    if not pending:
        return
    if session.connection().dialect.name == "postgresql":
        _LOCK.execute(session, {"k": OUTBOX_LOCK_KEY})
    _INSERT.execute(session, pending[0] if len(pending) == 1 else pending)


def discard_pending_events(session: Session) -> None:
    """Forget queued events (after a rollback)."""
    session.info.pop(PENDING_KEY, None)


def read_events(
    connection: Connection | Session, after_sequence_id: int = 0, limit: int = 10_000
) -> list[dict[str, Any]]:
    """Events with ``sequence_id > after_sequence_id``, oldest first (the lake's reader).

    Args:
        connection: a connection or session on the transactional database.
        after_sequence_id: the last ``sequence_id`` already ingested (0 for all).
        limit: batch size.

    Returns:
        Dicts with every ``outbox_events`` column (``payload`` decoded).

    Example:
        >>> with engine.connect() as c:  # doctest: +SKIP
        ...     batch = read_events(c, after_sequence_id=watermark)
    """
    rows = connection.execute(
        select(outbox_events)
        .where(outbox_events.c.sequence_id > after_sequence_id)
        .order_by(outbox_events.c.sequence_id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]
