"""Sourcing events (#28): ``sourcing_events``, ``sourcing_event_lines``,
``sourcing_invitations``, ``sourcing_bids`` (sealed until closing) and ``sourcing_awards``
(maker != checker ``CHECK``).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'sourcing_events',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('closes_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('rules', JSONDocument, nullable=False),
        sa.Column('created_by', _ID, nullable=False),
        sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('closed_by', _ID, nullable=True),
        sa.Column('closed_at', UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('open', 'closed', 'awarded')",
                           name=op.f('ck_sourcing_events_status_known')),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_sourcing_events_business_unit_business_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_events')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_sourcing_events_business_unit'), 'sourcing_events',
                    ['business_unit'], unique=False)
    op.create_table(
        'sourcing_event_lines',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('event_id', _ID, nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('sku_id', _ID, nullable=True),
        sa.Column('item', sa.String(length=200), nullable=True),
        sa.Column('specification', sa.String(length=2000), nullable=True),
        sa.Column('quantity', MoneyType(precision=18, scale=4), nullable=False),
        sa.Column('need_by', sa.Date(), nullable=False),
        sa.Column('delivery_warehouse_id', _ID, nullable=True),
        sa.CheckConstraint('sku_id IS NOT NULL OR item IS NOT NULL',
                           name=op.f('ck_sourcing_event_lines_sku_or_item')),
        sa.ForeignKeyConstraint(['event_id'], ['sourcing_events.id'],
                                name=op.f('fk_sourcing_event_lines_event_id_sourcing_events')),
        sa.ForeignKeyConstraint(['sku_id'], ['skus.id'],
                                name=op.f('fk_sourcing_event_lines_sku_id_skus')),
        sa.ForeignKeyConstraint(['delivery_warehouse_id'], ['warehouses.id'],
                                name=op.f('fk_sourcing_event_lines_delivery_warehouse_id_warehouses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_event_lines')),
        sa.UniqueConstraint('event_id', 'line_no',
                            name=op.f('uq_sourcing_event_lines_event_id_line_no')),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'sourcing_invitations',
        sa.Column('event_id', _ID, nullable=False),
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['sourcing_events.id'],
                                name=op.f('fk_sourcing_invitations_event_id_sourcing_events')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_sourcing_invitations_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('event_id', 'supplier_id', name=op.f('pk_sourcing_invitations')),
    )
    op.create_table(
        'sourcing_bids',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('event_id', _ID, nullable=False),
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('valid_until', sa.Date(), nullable=False),
        sa.Column('lines', JSONDocument, nullable=False),
        sa.Column('bundles', JSONDocument, nullable=False),
        sa.Column('submitted_by', _ID, nullable=False),
        sa.Column('submitted_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['sourcing_events.id'],
                                name=op.f('fk_sourcing_bids_event_id_sourcing_events')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_sourcing_bids_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_bids')),
        sa.UniqueConstraint('event_id', 'supplier_id',
                            name=op.f('uq_sourcing_bids_event_id_supplier_id')),
        sqlite_autoincrement=True,
    )
    op.create_table(
        'sourcing_awards',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('event_id', _ID, nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('total', MoneyType(precision=18, scale=4), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('requires_approval', sa.Boolean(), nullable=False),
        sa.Column('result', JSONDocument, nullable=False),
        sa.Column('computed_by', _ID, nullable=False),
        sa.Column('computed_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('approved_by', _ID, nullable=True),
        sa.Column('approved_at', UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint('approved_by IS NULL OR approved_by <> computed_by',
                           name=op.f('ck_sourcing_awards_maker_checker')),
        sa.CheckConstraint("status IN ('pending_approval', 'approved')",
                           name=op.f('ck_sourcing_awards_status_known')),
        sa.ForeignKeyConstraint(['event_id'], ['sourcing_events.id'],
                                name=op.f('fk_sourcing_awards_event_id_sourcing_events')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_awards')),
        sa.UniqueConstraint('event_id', name=op.f('uq_sourcing_awards_event_id')),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table('sourcing_awards')
    op.drop_table('sourcing_bids')
    op.drop_table('sourcing_invitations')
    op.drop_table('sourcing_event_lines')
    op.drop_index(op.f('ix_sourcing_events_business_unit'), table_name='sourcing_events')
    op.drop_table('sourcing_events')
