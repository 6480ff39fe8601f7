"""Sourcing plans (#16): ``sourcing_plans``, a unit's requisition solved by the exact
optimiser from the live offers, stored with its input hash and, once accepted, its orders.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'sourcing_plans',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('total', MoneyType(precision=18, scale=4), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('requisition', JSONDocument, nullable=False),
        sa.Column('input', JSONDocument, nullable=False),
        sa.Column('input_hash', sa.String(length=64), nullable=False),
        sa.Column('result', JSONDocument, nullable=False),
        sa.Column('created_by', _ID, nullable=False),
        sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('accepted_by', _ID, nullable=True),
        sa.Column('accepted_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('order_ids', JSONDocument, nullable=True),
        sa.CheckConstraint("status IN ('optimal', 'infeasible', 'time_limit', 'accepted')",
                           name=op.f('ck_sourcing_plans_status_known')),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_sourcing_plans_business_unit_business_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sourcing_plans')),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_sourcing_plans_unit_created', 'sourcing_plans',
                    ['business_unit', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_sourcing_plans_unit_created', table_name='sourcing_plans')
    op.drop_table('sourcing_plans')
