"""Initial schema: identity, catalogue, stock, orders, idempotency keys, outbox, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-25 02:13:58.257070
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from transactional.db.types import MoneyType, UtcDateTime

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


#: The audit log refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE): it is append-only.
SQLITE_APPEND_ONLY = [
    f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_APPEND_ONLY = [
    ("CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
     "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"),
    ("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
     "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"),
    ("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
     "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"),
]


def _append_only_audit_log() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_APPEND_ONLY, "postgresql": POSTGRES_APPEND_ONLY}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('occurred_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=True),
    sa.Column('details', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    sqlite_autoincrement=True
    )
    op.create_index('ix_audit_log_object', 'audit_log', ['object_type', 'object_id'], unique=False)

    op.create_table('business_units',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_business_units'))
    )
    op.create_table('categories',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('attribute_template', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_categories_code'))
    )
    op.create_table('idempotency_keys',
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('resource_type', sa.String(length=32), nullable=False),
    sa.Column('resource_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    op.create_index(op.f('ix_idempotency_keys_created_at'), 'idempotency_keys', ['created_at'], unique=False)

    op.create_table('outbox_events',
    sa.Column('sequence_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('aggregate_type', sa.String(length=32), nullable=False),
    sa.Column('aggregate_id', sa.String(length=64), nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=True),
    sa.Column('supplier_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('occurred_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('schema_version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('sequence_id', name=op.f('pk_outbox_events')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_events_event_id')),
    sqlite_autoincrement=True
    )
    op.create_table('suppliers',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_suppliers'))
    )
    op.create_table('skus',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('attributes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_skus_category_id_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skus')),
    sa.UniqueConstraint('code', name=op.f('uq_skus_code'))
    )
    op.create_index(op.f('ix_skus_category_id'), 'skus', ['category_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=True),
    sa.Column('supplier_id', sa.String(length=64), nullable=True),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(role = 'supplier' AND supplier_id IS NOT NULL) OR (role <> 'supplier' AND supplier_id IS NULL)", name=op.f('ck_users_supplier_link')),
    sa.CheckConstraint("role = 'admin' OR business_unit IS NOT NULL OR role = 'supplier'", name=op.f('ck_users_business_unit_scope')),
    sa.CheckConstraint("role IN ('buyer', 'supplier', 'procurement', 'finance', 'admin')", name=op.f('ck_users_role')),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_users_business_unit_business_units')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_users_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('warehouses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('handling_cost', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('cost_per_km', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_warehouses_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('code', name=op.f('uq_warehouses_code'))
    )
    op.create_index(op.f('ix_warehouses_supplier_id'), 'warehouses', ['supplier_id'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_keys_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_keys_prefix'))
    )
    op.create_index(op.f('ix_api_keys_user_id'), 'api_keys', ['user_id'], unique=False)

    op.create_table('offers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('moq', sa.Integer(), nullable=False),
    sa.Column('order_multiple', sa.Integer(), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('lead_time_days >= 0', name=op.f('ck_offers_lead_time')),
    sa.CheckConstraint('moq >= 1', name=op.f('ck_offers_moq')),
    sa.CheckConstraint('order_multiple >= 1', name=op.f('ck_offers_order_multiple')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_offers_sku_id_skus')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_offers_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    op.create_index(op.f('ix_offers_sku_id'), 'offers', ['sku_id'], unique=False)
    op.create_index('uq_offers_supplier_sku', 'offers', ['supplier_id', 'sku_id'], unique=True)

    op.create_table('orders',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('buyer_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('ship_to_address', sa.String(length=500), nullable=True),
    sa.Column('ship_to_latitude', sa.Float(), nullable=True),
    sa.Column('ship_to_longitude', sa.Float(), nullable=True),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('placed_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_orders_business_unit_business_units')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_orders_buyer_user_id_users')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_orders_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders'))
    )
    op.create_index('ix_orders_bu_placed', 'orders', ['business_unit', 'placed_at'], unique=False)
    op.create_index(op.f('ix_orders_buyer_user_id'), 'orders', ['buyer_user_id'], unique=False)
    op.create_index(op.f('ix_orders_status'), 'orders', ['status'], unique=False)
    op.create_index(op.f('ix_orders_supplier_id'), 'orders', ['supplier_id'], unique=False)

    op.create_table('sku_attribute_values',
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('num_value', sa.Float(), nullable=True),
    sa.Column('text_value', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_sku_attribute_values_sku_id_skus')),
    sa.PrimaryKeyConstraint('sku_id', 'name', name=op.f('pk_sku_attribute_values'))
    )
    op.create_index('ix_sku_attribute_values_name_num', 'sku_attribute_values', ['name', 'num_value'], unique=False)
    op.create_index('ix_sku_attribute_values_name_text', 'sku_attribute_values', ['name', 'text_value'], unique=False)

    op.create_table('stock',
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('available', sa.Integer(), nullable=False),
    sa.Column('reserved', sa.Integer(), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('available >= 0', name=op.f('ck_stock_available_not_negative')),
    sa.CheckConstraint('reserved >= 0', name=op.f('ck_stock_reserved_not_negative')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('warehouse_id', 'sku_id', name=op.f('pk_stock'))
    )
    op.create_index('ix_stock_sku_id', 'stock', ['sku_id', 'warehouse_id'], unique=False)

    op.create_table('stock_adjustments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('actor_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_adjustments_sku_id_skus')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_stock_adjustments_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_adjustments'))
    )
    op.create_index('ix_stock_adjustments_wh_sku', 'stock_adjustments', ['warehouse_id', 'sku_id'], unique=False)

    op.create_table('offer_price_tiers',
    sa.Column('offer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('min_quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', MoneyType(precision=18, scale=4), nullable=False),
    sa.CheckConstraint('min_quantity >= 1', name=op.f('ck_offer_price_tiers_min_quantity')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_offer_price_tiers_offer_id_offers')),
    sa.PrimaryKeyConstraint('offer_id', 'min_quantity', name=op.f('pk_offer_price_tiers'))
    )
    op.create_table('order_lines',
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('offer_version', sa.Integer(), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('line_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_lines_quantity_positive')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_order_lines_offer_id_offers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders')),
    sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_order_lines_sku_id_skus')),
    sa.PrimaryKeyConstraint('order_id', 'line_no', name=op.f('pk_order_lines'))
    )
    op.create_index(op.f('ix_order_lines_sku_id'), 'order_lines', ['sku_id'], unique=False)

    op.create_table('order_allocations',
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('warehouse_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sku_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('distance_km', sa.Float(), nullable=False),
    sa.Column('unit_shipping_cost', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('shipping_currency', sa.String(length=3), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_allocations_quantity_positive')),
    sa.ForeignKeyConstraint(['order_id', 'line_no'], ['order_lines.order_id', 'order_lines.line_no'], name='fk_order_allocations_line'),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_order_allocations_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('order_id', 'line_no', 'warehouse_id', name=op.f('pk_order_allocations'))
    )
    _append_only_audit_log()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    op.drop_table('order_allocations')
    op.drop_index(op.f('ix_order_lines_sku_id'), table_name='order_lines')

    op.drop_table('order_lines')
    op.drop_table('offer_price_tiers')
    op.drop_index('ix_stock_adjustments_wh_sku', table_name='stock_adjustments')

    op.drop_table('stock_adjustments')
    op.drop_index('ix_stock_sku_id', table_name='stock')

    op.drop_table('stock')
    op.drop_index('ix_sku_attribute_values_name_text', table_name='sku_attribute_values')
    op.drop_index('ix_sku_attribute_values_name_num', table_name='sku_attribute_values')

    op.drop_table('sku_attribute_values')
    op.drop_index(op.f('ix_orders_supplier_id'), table_name='orders')
    op.drop_index(op.f('ix_orders_status'), table_name='orders')
    op.drop_index(op.f('ix_orders_buyer_user_id'), table_name='orders')
    op.drop_index('ix_orders_bu_placed', table_name='orders')

    op.drop_table('orders')
    op.drop_index('uq_offers_supplier_sku', table_name='offers')
    op.drop_index(op.f('ix_offers_sku_id'), table_name='offers')

    op.drop_table('offers')
    op.drop_index(op.f('ix_api_keys_user_id'), table_name='api_keys')

    op.drop_table('api_keys')
    op.drop_index(op.f('ix_warehouses_supplier_id'), table_name='warehouses')

    op.drop_table('warehouses')
    op.drop_table('users')
    op.drop_index(op.f('ix_skus_category_id'), table_name='skus')

    op.drop_table('skus')
    op.drop_table('suppliers')
    op.drop_table('outbox_events')
    op.drop_index(op.f('ix_idempotency_keys_created_at'), table_name='idempotency_keys')

    op.drop_table('idempotency_keys')
    op.drop_table('categories')
    op.drop_table('business_units')
    op.drop_index('ix_audit_log_object', table_name='audit_log')

    op.drop_table('audit_log')
