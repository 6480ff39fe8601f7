"""Automatic onboarding checks (#22): ``supplier_application_checks``, one row per run of the
checks on an application (OCR of its business licence against the application and the
supplier master), the latest in force; the OCR'd legal representative stored encrypted.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import JSONDocument, UtcDateTime

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'supplier_application_checks',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('application_id', _ID, nullable=False),
        sa.Column('document_id', _ID, nullable=True),
        sa.Column('fields', JSONDocument, nullable=False),
        sa.Column('legal_representative_enc', sa.String(length=255), nullable=True),
        sa.Column('checks', JSONDocument, nullable=False),
        sa.Column('fast_track', sa.Boolean(), nullable=False),
        sa.Column('checked_by', _ID, nullable=False),
        sa.Column('checked_at', UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['application_id'], ['supplier_applications.id'],
            name=op.f('fk_supplier_application_checks_application_id_supplier_applications')),
        sa.ForeignKeyConstraint(
            ['document_id'], ['supplier_documents.id'],
            name=op.f('fk_supplier_application_checks_document_id_supplier_documents')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_application_checks')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_supplier_application_checks_application_id'),
                    'supplier_application_checks', ['application_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_supplier_application_checks_application_id'),
                  table_name='supplier_application_checks')
    op.drop_table('supplier_application_checks')
