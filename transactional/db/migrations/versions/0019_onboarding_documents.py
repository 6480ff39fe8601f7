"""Onboarding documents (#22): certificates read by OCR and resubmission.

``supplier_application_checks`` gains ``certificates`` (the OCR'd bank account and ISO /
industry certificates, account masked) and ``bank_account_enc`` (the account read on the
bank account certificate, SM4-encrypted); ``supplier_documents`` gains
``replaces_document_id`` (a corrected document replacing an earlier one).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from transactional.db.types import JSONDocument

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('supplier_application_checks') as batch:
        batch.add_column(sa.Column('certificates', JSONDocument, nullable=True))
        batch.add_column(sa.Column('bank_account_enc', sa.String(length=255), nullable=True))
    with op.batch_alter_table('supplier_documents') as batch:
        batch.add_column(sa.Column('replaces_document_id', _ID, nullable=True))
        batch.create_foreign_key(
            op.f('fk_supplier_documents_replaces_document_id_supplier_documents'),
            'supplier_documents', ['replaces_document_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('supplier_documents') as batch:
        batch.drop_constraint(
            op.f('fk_supplier_documents_replaces_document_id_supplier_documents'),
            type_='foreignkey')
        batch.drop_column('replaces_document_id')
    with op.batch_alter_table('supplier_application_checks') as batch:
        batch.drop_column('bank_account_enc')
        batch.drop_column('certificates')
