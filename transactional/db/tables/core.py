"""The service's own bookkeeping tables: idempotency keys, the outbox, the audit log.

The audit log refuses UPDATE and DELETE (triggers, migration 0001).
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, UtcDateTime

idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("user_id", Id, primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer(), nullable=False),
    Column("response", JSONDocument, nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("resource_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False, index=True),
)

#: Business events, written in the transaction that caused them; the lake reads them by
#: ``sequence_id`` (strictly increasing in commit order, see ``db/outbox.py``).
outbox_events = Table(
    "outbox_events", metadata,
    Column("sequence_id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("aggregate_type", String(32), nullable=False),
    Column("aggregate_id", String(64), nullable=False),
    Column("business_unit", String(32)),
    Column("supplier_id", String(64)),
    Column("payload", JSONDocument, nullable=False),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("schema_version", Integer(), nullable=False),
    sqlite_autoincrement=True,
)

#: Append-only record of every privileged change (update / delete refused by triggers),
#: each row chained to the previous by SHA-256 so an edit that bypasses the triggers shows.
audit_log = Table(
    "audit_log", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("occurred_at", UtcDateTime(), nullable=False),
    Column("actor_user_id", Id, nullable=False),
    Column("actor_role", String(16), nullable=False),
    Column("action", String(64), nullable=False),
    Column("object_type", String(32), nullable=False),
    Column("object_id", String(64), nullable=False),
    Column("business_unit", String(32)),
    Column("details", JSONDocument, nullable=False),
    # the hash chain (core/audit_chain.py): NULL only on rows written before it existed
    Column("prev_hash", String(64)),
    Column("row_hash", String(64)),
    Index("ix_audit_log_object", "object_type", "object_id"),
    sqlite_autoincrement=True,
)
