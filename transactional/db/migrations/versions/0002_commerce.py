"""Commerce: FX rates, approvals, promotions and dealer rebates, payments and refunds, the
double-entry ledger, supplier statements, supplier onboarding; new order, line and supplier
columns. Journal entries and lines, statements and their lines, promotion versions and
provider payment events are append-only (triggers, like the audit log).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 03:40:48.186113
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from transactional.db.types import MoneyType, RateType, UtcDateTime

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


#: Tables whose rows are never updated or deleted: corrections are new rows.
APPEND_ONLY = ("journal_entries", "journal_lines", "statements", "statement_lines",
               "promotion_versions", "payment_events")
POSTGRES_FUNCTION = (
    "CREATE FUNCTION grouplake_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
)


def _append_only(table: str) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return [
            (f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
             "FOR EACH ROW EXECUTE FUNCTION grouplake_append_only()"),
            (f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
             "FOR EACH STATEMENT EXECUTE FUNCTION grouplake_append_only()"),
        ]
    return [
        f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ]


def upgrade() -> None:
    op.create_table('fx_rates',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('rate_date', sa.Date(), nullable=False),
    sa.Column('from_currency', sa.String(length=3), nullable=False),
    sa.Column('to_currency', sa.String(length=3), nullable=False),
    sa.Column('rate', RateType(precision=18, scale=8), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fx_rates'))
    )
    with op.batch_alter_table('fx_rates', schema=None) as batch_op:
        batch_op.create_index('uq_fx_rates_pair_date', ['from_currency', 'to_currency', 'rate_date'], unique=True)

    op.create_table('journal_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('entry_type', sa.String(length=32), nullable=False),
    sa.Column('reference_type', sa.String(length=32), nullable=False),
    sa.Column('reference_id', sa.String(length=64), nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=True),
    sa.Column('supplier_id', sa.String(length=64), nullable=True),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('posted_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('posted_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_entries')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.create_index('ix_journal_entries_reference', ['reference_type', 'reference_id'], unique=False)

    op.create_table('ledger_accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=200), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_accounts')),
    sa.UniqueConstraint('code', name=op.f('uq_ledger_accounts_code'))
    )
    op.create_table('approval_limits',
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_approval_limits_business_unit_business_units')),
    sa.PrimaryKeyConstraint('business_unit', name=op.f('pk_approval_limits'))
    )
    op.create_table('journal_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('debit', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('credit', MoneyType(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_accounts.id'], name=op.f('fk_journal_lines_account_id_ledger_accounts')),
    sa.ForeignKeyConstraint(['entry_id'], ['journal_entries.id'], name=op.f('fk_journal_lines_entry_id_journal_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_journal_lines')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_journal_lines_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_journal_lines_entry_id'), ['entry_id'], unique=False)

    op.create_table('promotions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=True),
    sa.Column('category_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('supplier_id', sa.String(length=64), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('valid_from', UtcDateTime(timezone=True), nullable=False),
    sa.Column('valid_to', UtcDateTime(timezone=True), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('stacking', sa.String(length=16), nullable=False),
    sa.Column('stacks_with', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('rules', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('full_reduction', 'percentage', 'tiered_rebate')", name=op.f('ck_promotions_kind')),
    sa.CheckConstraint("stacking IN ('exclusive', 'stackable')", name=op.f('ck_promotions_stacking')),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_promotions_business_unit_business_units')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_promotions_category_id_categories')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_promotions_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_promotions')),
    sa.UniqueConstraint('code', name=op.f('uq_promotions_code'))
    )
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.create_index('ix_promotions_kind_active', ['kind', 'is_active'], unique=False)

    op.create_table('statements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('corrects_statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('gross_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('promotion_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('refund_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('rebate_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('adjustment_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('net_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('journal_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('issued_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('issued_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_statements_business_unit_business_units')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_statements_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statements')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_supplier_period', ['supplier_id', 'period_start'], unique=False)

    op.create_table('supplier_applications',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('company_name', sa.String(length=300), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('city', sa.String(length=100), nullable=False),
    sa.Column('province', sa.String(length=100), nullable=True),
    sa.Column('bank_name', sa.String(length=120), nullable=True),
    sa.Column('bank_account', sa.String(length=60), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=True),
    sa.Column('settlement_currency', sa.String(length=3), nullable=False),
    sa.Column('submitted_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('submitted_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('review_reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_supplier_applications_business_unit_business_units')),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.id'], name=op.f('fk_supplier_applications_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_applications')),
    sa.UniqueConstraint('supplier_id', name=op.f('uq_supplier_applications_supplier_id'))
    )
    with op.batch_alter_table('supplier_applications', schema=None) as batch_op:
        batch_op.create_index('ix_supplier_applications_uscc', ['uscc'], unique=False)

    op.create_table('dealer_accounts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('buyer_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('customer_ref', sa.String(length=64), nullable=True),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'], name=op.f('fk_dealer_accounts_business_unit_business_units')),
    sa.ForeignKeyConstraint(['buyer_user_id'], ['users.id'], name=op.f('fk_dealer_accounts_buyer_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dealer_accounts')),
    sa.UniqueConstraint('buyer_user_id', name=op.f('uq_dealer_accounts_buyer_user_id')),
    sa.UniqueConstraint('code', name=op.f('uq_dealer_accounts_code'))
    )
    op.create_table('order_line_promotions',
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('promotion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('promotion_version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_order_line_promotions_promotion_id_promotions')),
    sa.PrimaryKeyConstraint('order_id', 'line_no', 'sequence', name=op.f('pk_order_line_promotions'))
    )
    op.create_table('promotion_versions',
    sa.Column('promotion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_promotion_versions_promotion_id_promotions')),
    sa.PrimaryKeyConstraint('promotion_id', 'version', name=op.f('pk_promotion_versions'))
    )
    op.create_table('statement_lines',
    sa.Column('statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('line_type', sa.String(length=16), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reference_type', sa.String(length=32), nullable=False),
    sa.Column('reference_id', sa.String(length=64), nullable=False),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=True),
    sa.Column('source_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('source_currency', sa.String(length=3), nullable=False),
    sa.Column('fx_rate', RateType(precision=18, scale=8), nullable=True),
    sa.Column('fx_rate_date', sa.Date(), nullable=True),
    sa.Column('fx_source', sa.String(length=300), nullable=True),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_statement_lines_statement_id_statements')),
    sa.PrimaryKeyConstraint('statement_id', 'line_no', name=op.f('pk_statement_lines'))
    )
    op.create_table('supplier_documents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('doc_type', sa.String(length=32), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('uploaded_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('uploaded_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['supplier_applications.id'], name=op.f('fk_supplier_documents_application_id_supplier_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supplier_documents'))
    )
    with op.batch_alter_table('supplier_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_documents_application_id'), ['application_id'], unique=False)

    op.create_table('dealer_settlements',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('dealer_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('accruals', sa.Integer(), nullable=False),
    sa.Column('settled_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('settled_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('journal_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'], name=op.f('fk_dealer_settlements_dealer_account_id_dealer_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dealer_settlements'))
    )
    op.create_table('order_approvals',
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('order_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('order_currency', sa.String(length=3), nullable=False),
    sa.Column('limit_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('limit_currency', sa.String(length=3), nullable=False),
    sa.Column('converted_amount', MoneyType(precision=18, scale=4), nullable=True),
    sa.Column('fx_rate', RateType(precision=18, scale=8), nullable=True),
    sa.Column('fx_rate_date', sa.Date(), nullable=True),
    sa.Column('fx_source', sa.String(length=300), nullable=True),
    sa.Column('requested_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', UtcDateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_approvals_order_id_orders')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_approvals'))
    )
    with op.batch_alter_table('order_approvals', schema=None) as batch_op:
        batch_op.create_index('ix_order_approvals_status_expires', ['status', 'expires_at'], unique=False)

    op.create_table('payment_intents',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('provider', sa.String(length=32), nullable=False),
    sa.Column('provider_reference', sa.String(length=64), nullable=False),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('captured_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('refunded_amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('succeeded_at', UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payment_intents_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_intents')),
    sa.UniqueConstraint('order_id', name=op.f('uq_payment_intents_order_id')),
    sa.UniqueConstraint('provider_reference', name=op.f('uq_payment_intents_provider_reference'))
    )
    op.create_table('rebate_accruals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('promotion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('promotion_version', sa.Integer(), nullable=False),
    sa.Column('dealer_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('volume', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('tiers', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('fx_rate', RateType(precision=18, scale=8), nullable=True),
    sa.Column('fx_rate_date', sa.Date(), nullable=True),
    sa.Column('fx_source', sa.String(length=300), nullable=True),
    sa.Column('accrued_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('journal_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('dealer_settlement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'], name=op.f('fk_rebate_accruals_dealer_account_id_dealer_accounts')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_rebate_accruals_order_id_orders')),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_rebate_accruals_promotion_id_promotions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_accruals'))
    )
    with op.batch_alter_table('rebate_accruals', schema=None) as batch_op:
        batch_op.create_index('ix_rebate_accruals_dealer_open', ['dealer_account_id', 'dealer_settlement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_accruals_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_rebate_accruals_supplier_open', ['supplier_id', 'statement_id'], unique=False)

    op.create_table('rebate_periods',
    sa.Column('promotion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('dealer_account_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('volume', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('accrued', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'], name=op.f('fk_rebate_periods_dealer_account_id_dealer_accounts')),
    sa.ForeignKeyConstraint(['promotion_id'], ['promotions.id'], name=op.f('fk_rebate_periods_promotion_id_promotions')),
    sa.PrimaryKeyConstraint('promotion_id', 'dealer_account_id', 'period_start', name=op.f('pk_rebate_periods'))
    )
    op.create_table('payment_events',
    sa.Column('provider_event_id', sa.String(length=128), nullable=False),
    sa.Column('payment_intent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('body_sha256', sa.String(length=64), nullable=False),
    sa.Column('received_at', UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['payment_intent_id'], ['payment_intents.id'], name=op.f('fk_payment_events_payment_intent_id_payment_intents')),
    sa.PrimaryKeyConstraint('provider_event_id', name=op.f('pk_payment_events'))
    )
    op.create_table('refunds',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('payment_intent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', MoneyType(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('business_unit', sa.String(length=32), nullable=False),
    sa.Column('supplier_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('journal_entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_refunds_order_id_orders')),
    sa.ForeignKeyConstraint(['payment_intent_id'], ['payment_intents.id'], name=op.f('fk_refunds_payment_intent_id_payment_intents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_refunds'))
    )
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_refunds_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_refunds_supplier_open', ['supplier_id', 'statement_id'], unique=False)

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('discount_amount', MoneyType(precision=18, scale=4), server_default='0.0000', nullable=False))
        batch_op.add_column(sa.Column('net_amount', MoneyType(precision=18, scale=4), server_default='0.0000', nullable=False))

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gross_amount', MoneyType(precision=18, scale=4), server_default='0.0000', nullable=False))
        batch_op.add_column(sa.Column('discount_amount', MoneyType(precision=18, scale=4), server_default='0.0000', nullable=False))
        batch_op.add_column(sa.Column('approved_at', UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejected_at', UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('expired_at', UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('settled_at', UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('statement_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_index('ix_orders_supplier_status', ['supplier_id', 'status'], unique=False)

    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('business_unit', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('city', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('province', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('bank_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('bank_account', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('settlement_currency', sa.String(length=3), nullable=True))

    # rows placed before promotions existed: nothing was discounted
    op.execute("UPDATE orders SET gross_amount = total_amount")
    op.execute("UPDATE order_lines SET net_amount = line_amount")
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
    if dialect in ("postgresql", "sqlite"):
        for table in APPEND_ONLY:
            for statement in _append_only(table):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS grouplake_append_only()")
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('settlement_currency')
        batch_op.drop_column('bank_account')
        batch_op.drop_column('bank_name')
        batch_op.drop_column('phone')
        batch_op.drop_column('address')
        batch_op.drop_column('province')
        batch_op.drop_column('city')
        batch_op.drop_column('business_unit')

    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_supplier_status')
        batch_op.drop_column('statement_id')
        batch_op.drop_column('settled_at')
        batch_op.drop_column('expired_at')
        batch_op.drop_column('rejected_at')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('discount_amount')
        batch_op.drop_column('gross_amount')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('net_amount')
        batch_op.drop_column('discount_amount')

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_index('ix_refunds_supplier_open')
        batch_op.drop_index(batch_op.f('ix_refunds_order_id'))

    op.drop_table('refunds')
    op.drop_table('payment_events')
    op.drop_table('rebate_periods')
    with op.batch_alter_table('rebate_accruals', schema=None) as batch_op:
        batch_op.drop_index('ix_rebate_accruals_supplier_open')
        batch_op.drop_index(batch_op.f('ix_rebate_accruals_order_id'))
        batch_op.drop_index('ix_rebate_accruals_dealer_open')

    op.drop_table('rebate_accruals')
    op.drop_table('payment_intents')
    with op.batch_alter_table('order_approvals', schema=None) as batch_op:
        batch_op.drop_index('ix_order_approvals_status_expires')

    op.drop_table('order_approvals')
    op.drop_table('dealer_settlements')
    with op.batch_alter_table('supplier_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_documents_application_id'))

    op.drop_table('supplier_documents')
    op.drop_table('statement_lines')
    op.drop_table('promotion_versions')
    op.drop_table('order_line_promotions')
    op.drop_table('dealer_accounts')
    with op.batch_alter_table('supplier_applications', schema=None) as batch_op:
        batch_op.drop_index('ix_supplier_applications_uscc')

    op.drop_table('supplier_applications')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_supplier_period')

    op.drop_table('statements')
    with op.batch_alter_table('promotions', schema=None) as batch_op:
        batch_op.drop_index('ix_promotions_kind_active')

    op.drop_table('promotions')
    with op.batch_alter_table('journal_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_journal_lines_entry_id'))
        batch_op.drop_index(batch_op.f('ix_journal_lines_account_id'))

    op.drop_table('journal_lines')
    op.drop_table('approval_limits')
    op.drop_table('ledger_accounts')
    with op.batch_alter_table('journal_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_journal_entries_reference')

    op.drop_table('journal_entries')
    with op.batch_alter_table('fx_rates', schema=None) as batch_op:
        batch_op.drop_index('uq_fx_rates_pair_date')

    op.drop_table('fx_rates')
