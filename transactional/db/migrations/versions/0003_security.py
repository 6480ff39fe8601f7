"""Security: pending approval-limit changes (a second person of another role confirms),
a token version per user (logout, disable and role changes revoke older tokens), and the
audit log's SHA-256 hash chain (``prev_hash``, ``row_hash``).

Rows of the audit log written before this revision keep NULL hashes: the chain starts at the
first row written after it (``core/audit_chain.py``).

Revision ID: security
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import MoneyType, UtcDateTime

revision = 'security'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'approval_limit_changes',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('requested_by', _ID, nullable=False),
        sa.Column('requested_role', sa.String(length=16), nullable=False),
        sa.Column('requested_at', UtcDateTime(), nullable=False),
        sa.Column('decided_by', _ID, nullable=True),
        sa.Column('decided_role', sa.String(length=16), nullable=True),
        sa.Column('decided_at', UtcDateTime(), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_approval_limit_changes_business_unit_business_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_limit_changes')),
    )
    op.create_index('ix_approval_limit_changes_bu_status', 'approval_limit_changes',
                    ['business_unit', 'status'], unique=False)
    op.add_column('users', sa.Column('token_version', sa.Integer(), server_default='0',
                                     nullable=False))
    # plain ADD COLUMN: a batch rebuild would copy (i.e. delete) the append-only audit log
    op.add_column('audit_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_log', sa.Column('row_hash', sa.String(length=64), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite ≥ 3.35 drops columns in place; the append-only triggers do not fire on DDL
        op.execute('ALTER TABLE audit_log DROP COLUMN row_hash')
        op.execute('ALTER TABLE audit_log DROP COLUMN prev_hash')
    else:
        op.drop_column('audit_log', 'row_hash')
        op.drop_column('audit_log', 'prev_hash')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('token_version')
    op.drop_index('ix_approval_limit_changes_bu_status', table_name='approval_limit_changes')
    op.drop_table('approval_limit_changes')
