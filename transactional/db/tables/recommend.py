"""Recommendations the lake decided, as the service holds them (the inbound door's rows).

Written only by ``transactional/recommend/inbound.py`` through the door, one snapshot
version at a time: every row carries the ``version`` (content hash of
``gold.reco_decision_snapshot``) it came from, and a new version replaces all rows of the
previous one in the same transaction. The request path reads them and applies the business
rules on the live catalogue (offers, stock, suppliers) — no foreign keys, so a SKU or offer
the catalogue no longer holds is simply not shown.

Invariants: one row per list position (unique indexes below); ``score`` finite.

``recommendation_attributions`` is the other direction: written at order placement, one row
per order line whose SKU was on the buyer's list in force (``shown_*``) or that the buyer
added from a recommendation (``from_*``), so the lake can measure the uplift.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import UtcDateTime

#: Per buyer (``audience = 'buyer'``, ``buyer_user_id`` = ``users.id``) and per unit for buyers
#: without a history (``audience = 'unit'``, ``buyer_user_id`` 0): ranked SKUs to order next.
recommendations = Table(
    "recommendations", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("version", String(64), nullable=False),
    Column("audience", String(8), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("buyer_user_id", BigInteger(), nullable=False),  # 0 for audience 'unit'
    Column("rank", Integer(), nullable=False),
    Column("sku_id", BigInteger(), nullable=False),
    Column("supplier_id", String(64)),  # the suggested offer's supplier (the unit's preferred)
    Column("offer_id", BigInteger()),
    Column("score", Float(), nullable=False),
    Column("reason_kind", String(32), nullable=False),
    Column("reason", String(500), nullable=False),
    CheckConstraint("audience IN ('buyer', 'unit')", name="audience"),
    CheckConstraint("rank >= 1", name="rank"),
    Index("uq_recommendations_list_rank", "audience", "buyer_user_id", "business_unit", "rank", unique=True),
    sqlite_autoincrement=True,
)

#: Per SKU: SKUs often ordered with it, ranked (``score`` = confidence).
related_skus = Table(
    "related_skus", metadata,
    Column("sku_id", BigInteger(), primary_key=True),
    Column("rank", Integer(), primary_key=True),
    Column("related_sku_id", BigInteger(), nullable=False),
    Column("version", String(64), nullable=False),
    Column("score", Float(), nullable=False),
    Column("reason", String(500), nullable=False),
    CheckConstraint("rank >= 1", name="rank"),
)

#: Per unit x SKU: the suppliers to buy it from, best first (the supplier model, then the
#: suppliers without a history in the unit, cheapest first).
sku_supplier_rankings = Table(
    "sku_supplier_rankings", metadata,
    Column("business_unit", String(32), primary_key=True),
    Column("sku_id", BigInteger(), primary_key=True),
    Column("rank", Integer(), primary_key=True),
    Column("supplier_id", String(64), nullable=False),
    Column("offer_id", BigInteger()),
    Column("version", String(64), nullable=False),
    Column("score", Float(), nullable=False),
    Column("reason_kind", String(32), nullable=False),
    Column("reason", String(500), nullable=False),
    CheckConstraint("rank >= 1", name="rank"),
)

#: Per order line: was its SKU recommended to the buyer (list in force at placement), and did
#: the buyer add it from a recommendation (surface, version and rank the client reports)?
recommendation_attributions = Table(
    "recommendation_attributions", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("sku_id", BigInteger(), nullable=False),
    Column("buyer_user_id", BigInteger(), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("shown_version", String(64)),  # NULL: not on the list in force
    Column("shown_audience", String(8)),
    Column("shown_rank", Integer()),
    Column("from_surface", String(16)),  # NULL: not added from a recommendation
    Column("from_version", String(64)),
    Column("from_rank", Integer()),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint("from_surface IS NULL OR from_surface IN ('recommendations', 'related', 'suppliers')",
                    name="from_surface"),
)
