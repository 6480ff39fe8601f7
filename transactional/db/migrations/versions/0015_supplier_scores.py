"""Served supplier scores (#24 item 6): ``supplier_scores``, the scorecard summary per platform
supplier applied through the inbound door (``supplier_scores`` snapshots), shown on offers.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 01:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import UtcDateTime

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'supplier_scores',
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('overall_score', sa.Float(), nullable=True),
        sa.Column('overall_score_low', sa.Float(), nullable=True),
        sa.Column('overall_score_high', sa.Float(), nullable=True),
        sa.Column('category_name', sa.String(length=200), nullable=True),
        sa.Column('category_rank', sa.Integer(), nullable=True),
        sa.Column('category_ranked_count', sa.Integer(), nullable=True),
        sa.Column('list_status', sa.String(length=16), nullable=True),
        sa.Column('badge', sa.String(length=16), nullable=True),
        sa.Column('unranked_reason', sa.String(length=200), nullable=True),
        sa.Column('scorecard_month', sa.String(length=10), nullable=True),
        sa.Column('snapshot_version', sa.String(length=64), nullable=False),
        sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_supplier_scores_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('supplier_id', name=op.f('pk_supplier_scores')),
    )


def downgrade() -> None:
    op.drop_table('supplier_scores')
