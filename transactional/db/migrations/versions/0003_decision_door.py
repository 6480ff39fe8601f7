"""The inbound door: ``applied_snapshots``, the append-only registry of the decision snapshot
versions the service has applied (one row per kind and version).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 19:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import UtcDateTime

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'applied_snapshots',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('produced_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('applied_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.Column('rows_written', sa.Integer(), nullable=False),
        sa.Column('rows_removed', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_applied_snapshots')),
        sqlite_autoincrement=True,
    )
    op.create_index('uq_applied_snapshots_kind_version', 'applied_snapshots', ['kind', 'version'], unique=True)
    op.create_index('ix_applied_snapshots_kind_produced', 'applied_snapshots', ['kind', 'produced_at'])
    if op.get_bind().dialect.name == "postgresql":  # grouplake_append_only() comes from 0002
        op.execute("CREATE TRIGGER applied_snapshots_append_only BEFORE UPDATE OR DELETE ON applied_snapshots "
                   "FOR EACH ROW EXECUTE FUNCTION grouplake_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER applied_snapshots_no_{verb.lower()} BEFORE {verb} ON applied_snapshots "
                       "BEGIN SELECT RAISE(ABORT, 'applied_snapshots is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS applied_snapshots_append_only ON applied_snapshots")
    op.drop_index('ix_applied_snapshots_kind_produced', table_name='applied_snapshots')
    op.drop_index('uq_applied_snapshots_kind_version', table_name='applied_snapshots')
    op.drop_table('applied_snapshots')
