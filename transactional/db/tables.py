"""The transactional database's tables (SQLAlchemy Core), the single source of the schema.

Alembic migrations under ``db/migrations`` create exactly this (a test compares them).
Invariants the database itself enforces, whatever the code does: stock is never negative
(``CHECK available >= 0``), an order line has a positive quantity, a supplier user has a
supplier and nobody else does, the audit log cannot be updated or deleted (triggers, see the
initial migration). The commerce tables (promotions, FX, approvals, payments, ledger,
settlement, onboarding) are in :mod:`transactional.db.commerce_tables`, on the same
metadata; journal entries, statements and provider events are append-only likewise.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: 64-bit ids on PostgreSQL; SQLite needs INTEGER for its rowid alias (autoincrement).
Id = BigInteger().with_variant(Integer(), "sqlite")

ROLE_VALUES = "'buyer', 'supplier', 'procurement', 'finance', 'admin'"

business_units = Table(
    "business_units", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

suppliers = Table(
    "suppliers", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("credit_code", String(18)),  # unified social credit code, when known
    Column("status", String(16), nullable=False),  # pending | approved | rejected
    Column("created_at", UtcDateTime(), nullable=False),
    Column("business_unit", String(32)),  # the unit that onboarded it, if any
    Column("city", String(100)),
    Column("province", String(100)),
    Column("address", String(300)),
    Column("phone", String(40)),
    Column("bank_name", String(120)),
    Column("bank_account", String(60)),
    Column("settlement_currency", String(3)),  # None: oltp.settlement_currency_default
)

users = Table(
    "users", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code")),
    Column("supplier_id", String(64), ForeignKey("suppliers.id")),
    Column("is_active", Boolean(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    CheckConstraint(f"role IN ({ROLE_VALUES})", name="role"),
    CheckConstraint(
        "(role = 'supplier' AND supplier_id IS NOT NULL) "
        "OR (role <> 'supplier' AND supplier_id IS NULL)",
        name="supplier_link",
    ),
    CheckConstraint("role = 'admin' OR business_unit IS NOT NULL OR role = 'supplier'",
                    name="business_unit_scope"),
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
)

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

orders = Table(
    "orders", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("buyer_user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False, index=True),
    Column("status", String(24), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("total_amount", MoneyType(), nullable=False),  # payable: gross - discount
    Column("gross_amount", MoneyType(), nullable=False, server_default="0.0000"),
    Column("discount_amount", MoneyType(), nullable=False, server_default="0.0000"),
    Column("ship_to_address", String(500)),
    Column("ship_to_latitude", Float()),
    Column("ship_to_longitude", Float()),
    Column("note", String(1000)),
    Column("placed_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("paid_at", UtcDateTime()),
    Column("shipped_at", UtcDateTime()),
    Column("delivered_at", UtcDateTime()),
    Column("cancelled_at", UtcDateTime()),
    Column("approved_at", UtcDateTime()),
    Column("rejected_at", UtcDateTime()),
    Column("expired_at", UtcDateTime()),
    Column("settled_at", UtcDateTime()),
    Column("statement_id", Id),  # the supplier statement that settled it
    Index("ix_orders_bu_placed", "business_unit", "placed_at"),
    Index("ix_orders_supplier_status", "supplier_id", "status"),
)

order_lines = Table(
    "order_lines", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("offer_id", Id, ForeignKey("offers.id"), nullable=False),
    Column("offer_version", Integer(), nullable=False),
    Column("sku_id", Id, ForeignKey("skus.id"), nullable=False, index=True),
    Column("quantity", Integer(), nullable=False),
    Column("unit_price", MoneyType(), nullable=False),
    Column("line_amount", MoneyType(), nullable=False),  # gross: quantity x unit price
    Column("currency", String(3), nullable=False),
    Column("discount_amount", MoneyType(), nullable=False, server_default="0.0000"),
    Column("net_amount", MoneyType(), nullable=False, server_default="0.0000"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

order_allocations = Table(
    "order_allocations", metadata,
    Column("order_id", Id, primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("warehouse_id", Id, ForeignKey("warehouses.id"), primary_key=True),
    Column("sku_id", Id, nullable=False),
    Column("quantity", Integer(), nullable=False),
    Column("distance_km", Float(), nullable=False),
    Column("unit_shipping_cost", MoneyType(), nullable=False),
    Column("shipping_currency", String(3), nullable=False),
    ForeignKeyConstraint(
        ["order_id", "line_no"], ["order_lines.order_id", "order_lines.line_no"],
        name="fk_order_allocations_line",
    ),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)

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
#: ``sequence_id`` (strictly increasing in commit order, see ``services/outbox.py``).
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

#: Append-only record of every privileged change (update / delete refused by triggers).
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
    Index("ix_audit_log_object", "object_type", "object_id"),
    sqlite_autoincrement=True,
)


# The commerce tables register themselves on ``metadata`` (imported last: they use ``Id``).
from transactional.db import commerce_tables as _commerce_tables  # noqa: F401
