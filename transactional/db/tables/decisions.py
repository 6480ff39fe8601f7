"""The inbound door's registry: which version of each decision snapshot is in force.

The lake publishes decisions (stock, risk profiles, recommendations, suspensions, benefits)
as versioned snapshots; ``transactional/core/inbound.py`` applies each version once, in one
transaction with the rows it writes, and records it here. The request path reads the
service tables only; this registry tells it which version they hold and how old it is.

Invariant: one row per (kind, version) (unique index); the row with the greatest
``produced_at`` per kind is the version in force.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

from transactional.db.tables.base import Id, metadata
from transactional.db.types import UtcDateTime

applied_snapshots = Table(
    "applied_snapshots", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("version", String(64), nullable=False),  # the snapshot's content hash
    Column("source", String(200), nullable=False),  # e.g. gold/reco_decision_snapshot@v12
    Column("produced_at", UtcDateTime(), nullable=False),
    Column("applied_at", UtcDateTime(), nullable=False),
    Column("row_count", Integer(), nullable=False),
    Column("rows_written", Integer(), nullable=False),
    Column("rows_removed", Integer(), nullable=False),
    Index("uq_applied_snapshots_kind_version", "kind", "version", unique=True),
    Index("ix_applied_snapshots_kind_produced", "kind", "produced_at"),
    sqlite_autoincrement=True,
)
