"""Framework contracts (blanket orders): contracts, the units each covers, lines with agreed
price tiers and committed / remaining quantities, stored contract documents (append-only,
triggers like the audit log) and call-offs (the order lines placed against a contract).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from transactional.db.types import MoneyType, UtcDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
#: Stored contract documents are never updated or deleted: a new version is a new row.
APPEND_ONLY = ('contract_documents',)
#: Created by 0002 on PostgreSQL; re-created here only if absent (self-contained).
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION grouplake_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
)


def _append_only(table: str, dialect: str) -> list[str]:
    if dialect == 'postgresql':
        return [
            (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
             "FOR EACH ROW EXECUTE FUNCTION grouplake_append_only()"),
            (f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
             "FOR EACH STATEMENT EXECUTE FUNCTION grouplake_append_only()"),
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for verb in ('UPDATE', 'DELETE')
    ]


def upgrade() -> None:
    op.create_table(
        'contracts',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('supplier_id', sa.String(length=64), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=24), nullable=False),
        sa.Column('source_type', sa.String(length=32), nullable=True),
        sa.Column('source_ref', sa.String(length=64), nullable=True),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('document_id', _ID, nullable=True),
        sa.Column('document_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_by', _ID, nullable=False),
        sa.Column('created_role', sa.String(length=16), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('supplier_signed_by', _ID, nullable=True),
        sa.Column('supplier_signed_at', UtcDateTime(), nullable=True),
        sa.Column('approved_by', _ID, nullable=True),
        sa.Column('approved_at', UtcDateTime(), nullable=True),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.CheckConstraint('valid_to >= valid_from', name=op.f('ck_contracts_valid_window')),
        sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'],
                                name=op.f('fk_contracts_supplier_id_suppliers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    )
    op.create_index(op.f('ix_contracts_supplier_id'), 'contracts', ['supplier_id'], unique=False)
    op.create_table(
        'contract_units',
        sa.Column('contract_id', _ID, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_contract_units_business_unit_business_units')),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_contract_units_contract_id_contracts')),
        sa.PrimaryKeyConstraint('contract_id', 'business_unit', name=op.f('pk_contract_units')),
    )
    op.create_index('ix_contract_units_business_unit', 'contract_units', ['business_unit'],
                    unique=False)
    op.create_table(
        'contract_lines',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('contract_id', _ID, nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('sku_id', _ID, nullable=False),
        sa.Column('price_tiers', _JSON, nullable=False),
        sa.Column('committed_quantity', sa.Integer(), nullable=False),
        sa.Column('remaining_quantity', sa.Integer(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.CheckConstraint('committed_quantity > 0',
                           name=op.f('ck_contract_lines_committed_positive')),
        sa.CheckConstraint('remaining_quantity >= 0',
                           name=op.f('ck_contract_lines_remaining_not_negative')),
        sa.CheckConstraint('remaining_quantity <= committed_quantity',
                           name=op.f('ck_contract_lines_remaining_within_committed')),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_contract_lines_contract_id_contracts')),
        sa.ForeignKeyConstraint(['sku_id'], ['skus.id'], name=op.f('fk_contract_lines_sku_id_skus')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_lines')),
        sa.UniqueConstraint('contract_id', 'line_no',
                            name=op.f('uq_contract_lines_contract_id_line_no')),
        sa.UniqueConstraint('contract_id', 'sku_id', name=op.f('uq_contract_lines_contract_id_sku_id')),
    )
    op.create_index(op.f('ix_contract_lines_sku_id'), 'contract_lines', ['sku_id'], unique=False)
    op.create_table(
        'contract_documents',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('contract_id', _ID, nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('canonical_json', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('rendered', sa.Text(), nullable=False),
        sa.Column('rendered_media_type', sa.String(length=64), nullable=False),
        sa.Column('rendered_sha256', sa.String(length=64), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_contract_documents_contract_id_contracts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_documents')),
        sa.UniqueConstraint('contract_id', 'version',
                            name=op.f('uq_contract_documents_contract_id_version')),
    )
    op.create_index(op.f('ix_contract_documents_contract_id'), 'contract_documents',
                    ['contract_id'], unique=False)
    op.create_table(
        'contract_call_offs',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('order_id', _ID, nullable=False),
        sa.Column('order_line_no', sa.Integer(), nullable=False),
        sa.Column('contract_id', _ID, nullable=False),
        sa.Column('contract_line_id', _ID, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('unit_price', MoneyType(precision=18, scale=4), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('released_at', UtcDateTime(), nullable=True),
        sa.CheckConstraint('quantity > 0', name=op.f('ck_contract_call_offs_quantity_positive')),
        sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'],
                                name=op.f('fk_contract_call_offs_contract_id_contracts')),
        sa.ForeignKeyConstraint(['contract_line_id'], ['contract_lines.id'],
                                name=op.f('fk_contract_call_offs_contract_line_id_contract_lines')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'],
                                name=op.f('fk_contract_call_offs_order_id_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contract_call_offs')),
        sa.UniqueConstraint('order_id', 'order_line_no',
                            name=op.f('uq_contract_call_offs_order_id_order_line_no')),
    )
    op.create_index(op.f('ix_contract_call_offs_contract_id'), 'contract_call_offs',
                    ['contract_id'], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
    if dialect in ('postgresql', 'sqlite'):
        for table in APPEND_ONLY:
            for statement in _append_only(table, dialect):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.drop_index(op.f('ix_contract_call_offs_contract_id'), table_name='contract_call_offs')
    op.drop_table('contract_call_offs')
    op.drop_index(op.f('ix_contract_documents_contract_id'), table_name='contract_documents')
    op.drop_table('contract_documents')
    op.drop_index(op.f('ix_contract_lines_sku_id'), table_name='contract_lines')
    op.drop_table('contract_lines')
    op.drop_index('ix_contract_units_business_unit', table_name='contract_units')
    op.drop_table('contract_units')
    op.drop_index(op.f('ix_contracts_supplier_id'), table_name='contracts')
    op.drop_table('contracts')
