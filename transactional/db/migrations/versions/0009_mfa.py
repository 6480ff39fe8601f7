"""MFA: a TOTP secret per user (sealed with the field key, like bank accounts), when MFA
was enabled and the last time step accepted (no code replay), and one-time recovery codes
(stored as SHA-256).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import UtcDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_USER_COLUMNS = ('mfa_secret_enc', 'mfa_enabled_at', 'mfa_last_step')


def upgrade() -> None:
    op.add_column('users', sa.Column('mfa_secret_enc', sa.String(length=255), nullable=True))
    op.add_column('users', sa.Column('mfa_enabled_at', UtcDateTime(), nullable=True))
    op.add_column('users', sa.Column('mfa_last_step', sa.BigInteger(), nullable=True))
    op.create_table(
        'mfa_recovery_codes',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('user_id', _ID, nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('used_at', UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_mfa_recovery_codes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mfa_recovery_codes')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_mfa_recovery_codes_code_hash')),
    )
    op.create_index(op.f('ix_mfa_recovery_codes_user_id'), 'mfa_recovery_codes', ['user_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_mfa_recovery_codes_user_id'), table_name='mfa_recovery_codes')
    op.drop_table('mfa_recovery_codes')
    for column in reversed(_USER_COLUMNS):
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE users DROP COLUMN {column}')
        else:
            op.drop_column('users', column)
