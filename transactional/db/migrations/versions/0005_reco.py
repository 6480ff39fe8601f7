"""Recommendations applied through the inbound door: ``recommendations`` (per buyer and per
unit), ``related_skus`` and ``sku_supplier_rankings``, each row carrying its snapshot version; ``recommendation_attributions``
(per order line: recommended to the buyer, added from a recommendation).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import UtcDateTime

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'recommendations',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('audience', sa.String(length=8), nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('buyer_user_id', sa.BigInteger(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('sku_id', sa.BigInteger(), nullable=False),
        sa.Column('supplier_id', sa.String(length=64), nullable=True),
        sa.Column('offer_id', sa.BigInteger(), nullable=True),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason_kind', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.CheckConstraint("audience IN ('buyer', 'unit')", name=op.f('ck_recommendations_audience')),
        sa.CheckConstraint('rank >= 1', name=op.f('ck_recommendations_rank')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recommendations')),
        sqlite_autoincrement=True,
    )
    op.create_index('uq_recommendations_list_rank', 'recommendations',
                    ['audience', 'buyer_user_id', 'business_unit', 'rank'], unique=True)
    op.create_table(
        'related_skus',
        sa.Column('sku_id', sa.BigInteger(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('related_sku_id', sa.BigInteger(), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.CheckConstraint('rank >= 1', name=op.f('ck_related_skus_rank')),
        sa.PrimaryKeyConstraint('sku_id', 'rank', name=op.f('pk_related_skus')),
    )
    op.create_table(
        'sku_supplier_rankings',
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('sku_id', sa.BigInteger(), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=False),
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('offer_id', sa.BigInteger(), nullable=True),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reason_kind', sa.String(length=32), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.CheckConstraint('rank >= 1', name=op.f('ck_sku_supplier_rankings_rank')),
        sa.PrimaryKeyConstraint('business_unit', 'sku_id', 'rank', name=op.f('pk_sku_supplier_rankings')),
    )
    op.create_table(
        'recommendation_attributions',
        sa.Column('order_id', _ID, nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('sku_id', sa.BigInteger(), nullable=False),
        sa.Column('buyer_user_id', sa.BigInteger(), nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('shown_version', sa.String(length=64), nullable=True),
        sa.Column('shown_audience', sa.String(length=8), nullable=True),
        sa.Column('shown_rank', sa.Integer(), nullable=True),
        sa.Column('from_surface', sa.String(length=16), nullable=True),
        sa.Column('from_version', sa.String(length=64), nullable=True),
        sa.Column('from_rank', sa.Integer(), nullable=True),
        sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("from_surface IS NULL OR from_surface IN ('recommendations', 'related', 'suppliers')",
                           name=op.f('ck_recommendation_attributions_from_surface')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_recommendation_attributions_order_id_orders')),
        sa.PrimaryKeyConstraint('order_id', 'line_no', name=op.f('pk_recommendation_attributions')),
    )


def downgrade() -> None:
    op.drop_table('recommendation_attributions')
    op.drop_table('sku_supplier_rankings')
    op.drop_table('related_skus')
    op.drop_index('uq_recommendations_list_rank', table_name='recommendations')
    op.drop_table('recommendations')
