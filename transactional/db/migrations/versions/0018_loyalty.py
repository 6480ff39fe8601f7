"""Loyalty: versioned points rules per unit, points accounts (balance never negative), earned
lots (FIFO consumption, expiry) and movements; group-buy deals, their participants and the
stock each participant holds.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08 01:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from transactional.db.types import MoneyType, UtcDateTime

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
TABLES = ('group_buy_holds', 'points_movements', 'group_buy_participants', 'points_lots', 'points_accounts',
          'group_buy_deals', 'points_rules')


def upgrade() -> None:
    op.create_table('points_rules',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('points_per_unit', MoneyType(), nullable=False),
    sa.Column('rounding', sa.String(length=8), nullable=False),
    sa.Column('multipliers', _JSON, nullable=False),
    sa.Column('point_value', MoneyType(), nullable=False),
    sa.Column('expiry_months', sa.Integer(), nullable=False),
    sa.Column('max_redeem_percent', MoneyType(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', _ID, nullable=False),
    sa.CheckConstraint("rounding IN ('down', 'half_up')", name=op.f('ck_points_rules_rounding')),
    sa.CheckConstraint('expiry_months > 0', name=op.f('ck_points_rules_positive')),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_points_rules_business_unit_business_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_rules'))
    )
    op.create_index('uq_points_rules_business_unit_version', 'points_rules', ['business_unit', 'version'], unique=True)
    op.create_table('group_buy_deals',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('offer_id', _ID, nullable=False),
    sa.Column('sku_id', _ID, nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('group_price', MoneyType(), nullable=False),
    sa.Column('target_kind', sa.String(length=16), nullable=False),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('max_per_buyer', sa.Integer(), nullable=False),
    sa.Column('joined_quantity', sa.Integer(), nullable=False),
    sa.Column('joined_count', sa.Integer(), nullable=False),
    sa.Column('deadline', UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', _ID, nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('settled_at', UtcDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("joined_quantity >= 0 AND joined_count >= 0 AND (target_kind <> 'quantity' OR joined_quantity <= target) AND (target_kind <> 'participants' OR joined_count <= target)", name=op.f('ck_group_buy_deals_within_target')),
    sa.CheckConstraint("status IN ('open', 'filled', 'completed', 'releasing', 'failed')", name=op.f('ck_group_buy_deals_status')),
    sa.CheckConstraint("target_kind IN ('quantity', 'participants')", name=op.f('ck_group_buy_deals_target_kind')),
    sa.CheckConstraint('target > 0 AND max_per_buyer > 0', name=op.f('ck_group_buy_deals_positive')),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_group_buy_deals_business_unit_business_units')),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_group_buy_deals_offer_id_offers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_buy_deals'))
    )
    op.create_index('ix_group_buy_deals_status_deadline', 'group_buy_deals', ['status', 'deadline'], unique=False)
    op.create_table('points_accounts',
    sa.Column('dealer_account_id', _ID, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('balance', sa.Integer(), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_points_accounts_balance_not_negative')),
    sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'], name=op.f('fk_points_accounts_dealer_account_id_dealer_accounts')),
    sa.PrimaryKeyConstraint('dealer_account_id', name=op.f('pk_points_accounts'))
    )
    op.create_table('points_lots',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('dealer_account_id', _ID, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('order_id', _ID, nullable=False),
    sa.Column('rule_version', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.Column('point_value', MoneyType(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('earned_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('remaining >= 0 AND remaining <= points', name=op.f('ck_points_lots_remaining_within_points')),
    sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'], name=op.f('fk_points_lots_dealer_account_id_dealer_accounts')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_points_lots_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_lots'))
    )
    op.create_index('ix_points_lots_dealer_expires', 'points_lots', ['dealer_account_id', 'expires_at'], unique=False)
    op.create_index('uq_points_lots_order_id', 'points_lots', ['order_id'], unique=True)
    op.create_table('group_buy_participants',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('deal_id', _ID, nullable=False),
    sa.Column('buyer_user_id', _ID, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('order_id', _ID, nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('joined_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('reserved', 'ordered', 'released')", name=op.f('ck_group_buy_participants_status')),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_group_buy_participants_quantity_positive')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_group_buy_participants_buyer_user_id_users')),
    sa.ForeignKeyConstraint(['deal_id'], ['group_buy_deals.id'], name=op.f('fk_group_buy_participants_deal_id_group_buy_deals')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_group_buy_participants_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_buy_participants'))
    )
    op.create_index('uq_group_buy_participants_deal_buyer', 'group_buy_participants', ['deal_id', 'buyer_user_id'], unique=True)
    op.create_table('points_movements',
    sa.Column('id', _ID, autoincrement=True, nullable=False),
    sa.Column('dealer_account_id', _ID, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('amount', MoneyType(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('order_id', _ID, nullable=True),
    sa.Column('lot_id', _ID, nullable=True),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('detail', _JSON, nullable=False),
    sa.Column('journal_entry_id', _ID, nullable=True),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('earn', 'redeem', 'expire', 'reverse_earn', 'reverse_redeem')", name=op.f('ck_points_movements_kind')),
    sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'], name=op.f('fk_points_movements_dealer_account_id_dealer_accounts')),
    sa.ForeignKeyConstraint(['lot_id'], ['points_lots.id'], name=op.f('fk_points_movements_lot_id_points_lots')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_points_movements_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_movements'))
    )
    op.create_index('ix_points_movements_dealer_account_id', 'points_movements', ['dealer_account_id'], unique=False)
    op.create_index('uq_points_movements_kind_order_reference', 'points_movements', ['kind', 'order_id', 'reference'], unique=True)
    op.create_table('group_buy_holds',
    sa.Column('participant_id', _ID, nullable=False),
    sa.Column('warehouse_id', _ID, nullable=False),
    sa.Column('sku_id', _ID, nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_group_buy_holds_quantity_positive')),
    sa.ForeignKeyConstraint(['participant_id'], ['group_buy_participants.id'], name=op.f('fk_group_buy_holds_participant_id_group_buy_participants')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.id'], name=op.f('fk_group_buy_holds_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('participant_id', 'warehouse_id', 'sku_id', name=op.f('pk_group_buy_holds'))
    )


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)
