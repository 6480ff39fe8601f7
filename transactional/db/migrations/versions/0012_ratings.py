"""Evaluation feedback: ``order_ratings`` (one buyer rating per delivered order, scores 1-5,
editable for a configured window).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import UtcDateTime

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'order_ratings',
        sa.Column('order_id', _ID, nullable=False),
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('buyer_user_id', _ID, nullable=False),
        sa.Column('delivery_score', sa.SmallInteger(), nullable=False),
        sa.Column('quality_score', sa.SmallInteger(), nullable=False),
        sa.Column('service_score', sa.SmallInteger(), nullable=False),
        sa.Column('comment', sa.String(length=1000), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('rated_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('editable_until', UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('delivery_score between 1 and 5',
                           name=op.f('ck_order_ratings_delivery_score_range')),
        sa.CheckConstraint('quality_score between 1 and 5',
                           name=op.f('ck_order_ratings_quality_score_range')),
        sa.CheckConstraint('service_score between 1 and 5',
                           name=op.f('ck_order_ratings_service_score_range')),
        sa.CheckConstraint('version >= 1', name=op.f('ck_order_ratings_version_positive')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_order_ratings_order_id_orders')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_order_ratings_supplier_id_suppliers')),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_order_ratings_business_unit_business_units')),
        sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'],
                                name=op.f('fk_order_ratings_buyer_user_id_users')),
        sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_ratings')),
    )
    op.create_index('ix_order_ratings_supplier_id_business_unit', 'order_ratings',
                    ['supplier_id', 'business_unit'])


def downgrade() -> None:
    op.drop_index('ix_order_ratings_supplier_id_business_unit', table_name='order_ratings')
    op.drop_table('order_ratings')
