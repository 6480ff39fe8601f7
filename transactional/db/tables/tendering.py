"""Sourcing events (#28): calls for tenders, sealed bids and their award.

* ``sourcing_events``: one event of a business unit (status ``open`` → ``closed`` →
  ``awarded``), its closing time and award rules (JSON: ``max_suppliers``, ``max_share``,
  ``min_score``, ``exclude_suspended``).
* ``sourcing_event_lines``: what is asked for — a SKU or a free-text item with its
  specification, a quantity, a need-by date and the delivery warehouse.
* ``sourcing_invitations``: the invited suppliers (with the scorecard score procurement chose
  them on, when given).
* ``sourcing_bids``: one bid per supplier and event, revised in place until closing
  (``revision`` counts); its per-line prices and bundle conditions are JSON. Sealed: the
  service shows a bid to its own supplier only until the event is closed.
* ``sourcing_awards``: the computed award (one per event), its approval when above the limit;
  the checker is never the user who computed it (``CHECK``).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

sourcing_events = Table(
    "sourcing_events", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False,
           index=True),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # open | closed | awarded
    Column("currency", String(3), nullable=False),  # the group currency bids are compared in
    Column("closes_at", UtcDateTime(), nullable=False),
    Column("rules", JSONDocument, nullable=False),
    Column("created_by", Id, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("closed_by", Id),
    Column("closed_at", UtcDateTime()),
    CheckConstraint("status IN ('open', 'closed', 'awarded')", name="status_known"),
    sqlite_autoincrement=True,
)

sourcing_event_lines = Table(
    "sourcing_event_lines", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("sourcing_events.id"), nullable=False),
    Column("line_no", Integer(), nullable=False),
    Column("sku_id", Id, ForeignKey("skus.id")),
    Column("item", String(200)),
    Column("specification", String(2000)),
    Column("quantity", MoneyType(), nullable=False),
    Column("need_by", Date(), nullable=False),
    Column("delivery_warehouse_id", Id, ForeignKey("warehouses.id")),
    UniqueConstraint("event_id", "line_no"),
    CheckConstraint("sku_id IS NOT NULL OR item IS NOT NULL", name="sku_or_item"),
    sqlite_autoincrement=True,
)

sourcing_invitations = Table(
    "sourcing_invitations", metadata,
    Column("event_id", Id, ForeignKey("sourcing_events.id"), primary_key=True),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), primary_key=True),
    Column("score", Float()),
)

sourcing_bids = Table(
    "sourcing_bids", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("sourcing_events.id"), nullable=False),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False),
    Column("revision", Integer(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("valid_until", Date(), nullable=False),
    Column("lines", JSONDocument, nullable=False),
    Column("bundles", JSONDocument, nullable=False),
    Column("submitted_by", Id, nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("event_id", "supplier_id"),
    sqlite_autoincrement=True,
)

sourcing_awards = Table(
    "sourcing_awards", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", Id, ForeignKey("sourcing_events.id"), nullable=False, unique=True),
    Column("status", String(20), nullable=False),  # pending_approval | approved
    Column("total", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("requires_approval", Boolean(), nullable=False),
    Column("result", JSONDocument, nullable=False),
    Column("computed_by", Id, nullable=False),
    Column("computed_at", UtcDateTime(), nullable=False),
    Column("approved_by", Id),
    Column("approved_at", UtcDateTime()),
    CheckConstraint("approved_by IS NULL OR approved_by <> computed_by", name="maker_checker"),
    CheckConstraint("status IN ('pending_approval', 'approved')", name="status_known"),
    sqlite_autoincrement=True,
)
