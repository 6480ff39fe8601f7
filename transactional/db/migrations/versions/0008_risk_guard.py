"""The risk guard: ``risk_profiles`` (the lake's history profiles, applied through the
inbound door) and ``order_risk`` (each order's verdict and review outcome).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from transactional.db.types import MoneyType, UtcDateTime

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'risk_profiles',
        sa.Column('subject', sa.String(length=160), nullable=False),
        sa.Column('scope', sa.String(length=16), nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=True),
        sa.Column('supplier_id', sa.String(length=64), nullable=True),
        sa.Column('sku_id', _ID, nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=True),
        sa.Column('order_count', sa.Integer(), nullable=False),
        sa.Column('quantity_median', sa.Float(), nullable=True),
        sa.Column('quantity_p95', sa.Float(), nullable=True),
        sa.Column('unit_price_median', MoneyType(precision=18, scale=4), nullable=True),
        sa.Column('amount_median', MoneyType(precision=18, scale=4), nullable=True),
        sa.Column('amount_p95', MoneyType(precision=18, scale=4), nullable=True),
        sa.Column('first_order_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('last_order_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('snapshot_version', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('subject', name=op.f('pk_risk_profiles')),
    )
    op.create_table(
        'order_risk',
        sa.Column('order_id', _ID, nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('decision', sa.String(length=8), nullable=False),
        sa.Column('model_version', sa.String(length=64), nullable=False),
        sa.Column('profile_version', sa.String(length=64), nullable=True),
        sa.Column('reasons', _JSON, nullable=False),
        sa.Column('scored_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('review_outcome', sa.String(length=16), nullable=True),
        sa.Column('reviewed_by', _ID, nullable=True),
        sa.Column('reviewed_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('review_reason', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_risk_order_id_orders')),
        sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_risk')),
    )
    op.create_index('ix_order_risk_decision_outcome', 'order_risk', ['decision', 'review_outcome'])


def downgrade() -> None:
    op.drop_index('ix_order_risk_decision_outcome', table_name='order_risk')
    op.drop_table('order_risk')
    op.drop_table('risk_profiles')
