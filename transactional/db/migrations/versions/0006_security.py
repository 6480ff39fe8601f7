"""Security: pending approval-limit changes (a second person of another role confirms),
a token version per user (logout, disable and role changes revoke older tokens), the
audit log's SHA-256 hash chain (``prev_hash``, ``row_hash``), and encrypted supplier bank
accounts (``bank_account_enc``: SM4-GCM, ``bank_account_hmac``: keyed search hash; the old
``bank_account`` column keeps the masked form). Existing clear accounts are encrypted by
``grouplake tx encrypt-fields`` (it needs the key, which migrations do not).

Rows of the audit log written before this revision keep NULL hashes: the chain starts at the
first row written after it (``core/audit_chain.py``).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import MoneyType, UtcDateTime

revision = '0006'
down_revision = '0005'
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
    for table in ('suppliers', 'supplier_applications'):
        op.add_column(table, sa.Column('bank_account_enc', sa.String(length=255), nullable=True))
        op.add_column(table, sa.Column('bank_account_hmac', sa.String(length=64), nullable=True))
        op.create_index(op.f(f'ix_{table}_bank_account_hmac'), table, ['bank_account_hmac'],
                        unique=False)
    # plain ADD COLUMN: a batch rebuild would copy (i.e. delete) the append-only audit log
    op.add_column('audit_log', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_log', sa.Column('row_hash', sa.String(length=64), nullable=True))


def _drop_column(table: str, column: str) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite >= 3.35 drops a column in place (a batch rebuild would fight the foreign
        # keys, and copy the append-only audit log); the triggers do not fire on DDL
        op.execute(f'ALTER TABLE {table} DROP COLUMN {column}')
    else:
        op.drop_column(table, column)


def downgrade() -> None:
    _drop_column('audit_log', 'row_hash')
    _drop_column('audit_log', 'prev_hash')
    for table in ('suppliers', 'supplier_applications'):
        op.drop_index(op.f(f'ix_{table}_bank_account_hmac'), table_name=table)
        _drop_column(table, 'bank_account_hmac')
        _drop_column(table, 'bank_account_enc')
    _drop_column('users', 'token_version')
    op.drop_index('ix_approval_limit_changes_bu_status', table_name='approval_limit_changes')
    op.drop_table('approval_limit_changes')
