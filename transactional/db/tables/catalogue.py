"""The catalogue tables: categories, SKUs and their attributes, offers with price tiers,
warehouses and stock, promotions.

Stock is never negative (``CHECK available >= 0``); ``promotion_versions`` is append-only
(triggers, migration 0002).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
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
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

categories = Table(
    "categories", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("attribute_template", JSONDocument, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

skus = Table(
    "skus", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("category_id", Id, ForeignKey("categories.id"), nullable=False, index=True),
    Column("name", String(300), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("attributes", JSONDocument, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # code, name, pinyin, category name, attribute values, folded (transactional.domain.search)
    Column("search_text", String(4000)),
)

#: One row per SKU attribute, so attribute filters are plain indexed SQL on both backends.
sku_attribute_values = Table(
    "sku_attribute_values", metadata,
    Column("sku_id", Id, ForeignKey("skus.id"), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("num_value", Float()),
    Column("text_value", String(300)),
    Index("ix_sku_attribute_values_name_num", "name", "num_value"),
    Index("ix_sku_attribute_values_name_text", "name", "text_value"),
)

offers = Table(
    "offers", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False),
    Column("sku_id", Id, ForeignKey("skus.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("moq", Integer(), nullable=False),
    Column("order_multiple", Integer(), nullable=False),
    Column("lead_time_days", Integer(), nullable=False),
    Column("is_active", Boolean(), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("moq >= 1", name="moq"),
    CheckConstraint("order_multiple >= 1", name="order_multiple"),
    CheckConstraint("lead_time_days >= 0", name="lead_time"),
    Index("uq_offers_supplier_sku", "supplier_id", "sku_id", unique=True),
)

offer_price_tiers = Table(
    "offer_price_tiers", metadata,
    Column("offer_id", Id, ForeignKey("offers.id"), primary_key=True),
    Column("min_quantity", Integer(), primary_key=True),
    Column("unit_price", MoneyType(), nullable=False),
    CheckConstraint("min_quantity >= 1", name="min_quantity"),
)

warehouses = Table(
    "warehouses", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False, index=True),
    Column("city", String(100)),
    Column("latitude", Float()),
    Column("longitude", Float()),
    Column("handling_cost", MoneyType(), nullable=False),  # per unit shipped
    Column("cost_per_km", MoneyType(), nullable=False),  # per unit per km
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

stock = Table(
    "stock", metadata,
    Column("warehouse_id", Id, ForeignKey("warehouses.id"), primary_key=True),
    Column("sku_id", Id, ForeignKey("skus.id"), primary_key=True),
    Column("available", Integer(), nullable=False),  # sellable now
    Column("reserved", Integer(), nullable=False),  # held by placed / paid orders
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("available >= 0", name="available_not_negative"),
    CheckConstraint("reserved >= 0", name="reserved_not_negative"),
    Index("ix_stock_sku_id", "sku_id", "warehouse_id"),
)

stock_adjustments = Table(
    "stock_adjustments", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("warehouse_id", Id, ForeignKey("warehouses.id"), nullable=False),
    Column("sku_id", Id, ForeignKey("skus.id"), nullable=False),
    Column("delta", Integer(), nullable=False),
    Column("reason", String(32), nullable=False),
    Column("note", String(500)),
    Column("actor_user_id", Id, nullable=False),  # 0 = a trusted local command
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_stock_adjustments_wh_sku", "warehouse_id", "sku_id"),
)

promotions = Table(
    "promotions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code")),  # None: all
    Column("category_id", Id, ForeignKey("categories.id")),  # None: all categories
    Column("supplier_id", String(64), ForeignKey("suppliers.id")),  # None: any supplier
    Column("currency", String(3)),
    Column("valid_from", UtcDateTime(), nullable=False),
    Column("valid_to", UtcDateTime()),  # exclusive; None: open-ended
    Column("priority", Integer(), nullable=False),
    Column("stacking", String(16), nullable=False),  # exclusive | stackable
    Column("stacks_with", JSONDocument, nullable=False),  # kinds accepted alongside
    Column("rules", JSONDocument, nullable=False),
    Column("is_active", Boolean(), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("kind IN ('full_reduction', 'percentage', 'tiered_rebate')", name="kind"),
    CheckConstraint("stacking IN ('exclusive', 'stackable')", name="stacking"),
    Index("ix_promotions_kind_active", "kind", "is_active"),
)

promotion_versions = Table(
    "promotion_versions", metadata,
    Column("promotion_id", Id, ForeignKey("promotions.id"), primary_key=True),
    Column("version", Integer(), primary_key=True),
    Column("snapshot", JSONDocument, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", Id, nullable=False),
)
