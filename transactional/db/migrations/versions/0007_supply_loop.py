"""The supply loop (#18): ``supplier_suspensions`` and ``supplier_overrides`` (the elimination
list enforced), ``stock_observations`` and ``stock_discrepancies`` (live stock).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import JSONDocument, UtcDateTime

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'supplier_suspensions',
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('weakest_metrics', sa.String(length=1000), nullable=True),
        sa.Column('scorecard_month', sa.String(length=10), nullable=True),
        sa.Column('supplier_key', sa.String(length=64), nullable=True),
        sa.Column('snapshot_version', sa.String(length=64), nullable=False),
        sa.Column('since', UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_supplier_suspensions_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('supplier_id', name=op.f('pk_supplier_suspensions')),
    )
    op.create_table(
        'supplier_overrides',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=True),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('expires_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('requested_by', _ID, nullable=False),
        sa.Column('requested_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('confirmed_by', _ID, nullable=True),
        sa.Column('confirmed_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('revoked_by', _ID, nullable=True),
        sa.Column('revoked_at', UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('confirmed_by IS NULL OR confirmed_by <> requested_by',
                           name=op.f('ck_supplier_overrides_maker_checker')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_supplier_overrides_supplier_id_suppliers')),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_supplier_overrides_business_unit_business_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_overrides')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_supplier_overrides_supplier_expires', 'supplier_overrides',
                    ['supplier_id', 'expires_at'])
    op.create_table(
        'stock_observations',
        sa.Column('warehouse_id', _ID, nullable=False),
        sa.Column('sku_id', _ID, nullable=False),
        sa.Column('observation_id', sa.String(length=128), nullable=False),
        sa.Column('observed_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('on_hand', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('applied_at', UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_observations_on_hand_not_negative')),
        sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_observations_sku_id_skus')),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'],
                                name=op.f('fk_stock_observations_warehouse_id_warehouses')),
        sa.PrimaryKeyConstraint('warehouse_id', 'sku_id', name=op.f('pk_stock_observations')),
    )
    op.create_table(
        'stock_discrepancies',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('warehouse_id', _ID, nullable=False),
        sa.Column('sku_id', _ID, nullable=False),
        sa.Column('observation_id', sa.String(length=128), nullable=False),
        sa.Column('observed_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('on_hand', sa.Integer(), nullable=False),
        sa.Column('reserved', sa.Integer(), nullable=False),
        sa.Column('shortfall', sa.Integer(), nullable=False),
        sa.Column('order_ids', JSONDocument, nullable=False),
        sa.Column('recorded_at', UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('shortfall > 0', name=op.f('ck_stock_discrepancies_shortfall_positive')),
        sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_stock_discrepancies_sku_id_skus')),
        sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'],
                                name=op.f('fk_stock_discrepancies_warehouse_id_warehouses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_discrepancies')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_stock_discrepancies_wh_sku', 'stock_discrepancies', ['warehouse_id', 'sku_id'])


def downgrade() -> None:
    op.drop_index('ix_stock_discrepancies_wh_sku', table_name='stock_discrepancies')
    op.drop_table('stock_discrepancies')
    op.drop_table('stock_observations')
    op.drop_index('ix_supplier_overrides_supplier_expires', table_name='supplier_overrides')
    op.drop_table('supplier_overrides')
    op.drop_table('supplier_suspensions')
