"""Benefits: versioned segment → benefit policies per unit, customer benefits applied from the
lake's customer segments, the terms each order was placed on, coupon campaigns, grants and
redemptions. ``benefit_policies`` is append-only (triggers, like the audit log).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from transactional.db.types import MoneyType, UtcDateTime

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'benefit_policies',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('rules', _JSON, nullable=False),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('created_by', _ID, nullable=False),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_benefit_policies_business_unit_business_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_benefit_policies')),
        sqlite_autoincrement=True,
    )
    op.create_index('uq_benefit_policies_business_unit_version', 'benefit_policies',
                    ['business_unit', 'version'], unique=True)
    op.create_table(
        'customer_benefits',
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('customer_ref', sa.String(length=64), nullable=False),
        sa.Column('customer_name', sa.String(length=300), nullable=True),
        sa.Column('segment', sa.String(length=32), nullable=False),
        sa.Column('rfm_cell', sa.String(length=8), nullable=True),
        sa.Column('clv', MoneyType(), nullable=True),
        sa.Column('payment_terms_days', sa.Integer(), nullable=True),
        sa.Column('credit_limit', MoneyType(), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=True),
        sa.Column('account_manager', sa.Boolean(), nullable=False),
        sa.Column('discount_tier', sa.String(length=32), nullable=True),
        sa.Column('campaigns', _JSON, nullable=False),
        sa.Column('policy_version', sa.Integer(), nullable=True),
        sa.Column('snapshot_version', sa.String(length=64), nullable=False),
        sa.Column('granted_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('business_unit', 'customer_ref', name=op.f('pk_customer_benefits')),
    )
    op.create_table(
        'order_terms',
        sa.Column('order_id', _ID, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('dealer_account_id', _ID, nullable=True),
        sa.Column('customer_ref', sa.String(length=64), nullable=True),
        sa.Column('segment', sa.String(length=32), nullable=True),
        sa.Column('policy_version', sa.Integer(), nullable=True),
        sa.Column('snapshot_version', sa.String(length=64), nullable=True),
        sa.Column('payment_terms_days', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=16), nullable=False),
        sa.Column('recorded_at', UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'],
                                name=op.f('fk_order_terms_dealer_account_id_dealer_accounts')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_terms_order_id_orders')),
        sa.PrimaryKeyConstraint('order_id', name=op.f('pk_order_terms')),
    )
    op.create_index('ix_order_terms_dealer_account_id', 'order_terms', ['dealer_account_id'])
    op.create_table(
        'coupon_campaigns',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('amount', MoneyType(), nullable=True),
        sa.Column('percent', MoneyType(), nullable=True),
        sa.Column('max_discount', MoneyType(), nullable=True),
        sa.Column('min_order_amount', MoneyType(), nullable=True),
        sa.Column('repeat', sa.Boolean(), nullable=False),
        sa.Column('per_customer_limit', sa.Integer(), nullable=False),
        sa.Column('stacks_with_promotions', sa.Boolean(), nullable=False),
        sa.Column('valid_from', UtcDateTime(timezone=True), nullable=False),
        sa.Column('valid_to', UtcDateTime(timezone=True), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('created_by', _ID, nullable=False),
        sa.CheckConstraint("kind IN ('amount_off', 'percent_off', 'threshold')",
                           name=op.f('ck_coupon_campaigns_kind')),
        sa.CheckConstraint('per_customer_limit > 0', name=op.f('ck_coupon_campaigns_limit_positive')),
        sa.ForeignKeyConstraint(['business_unit'], ['business_units.code'],
                                name=op.f('fk_coupon_campaigns_business_unit_business_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_campaigns')),
        sa.UniqueConstraint('code', name=op.f('uq_coupon_campaigns_code')),
    )
    op.create_table(
        'coupon_grants',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('campaign_id', _ID, nullable=False),
        sa.Column('dealer_account_id', _ID, nullable=False),
        sa.Column('quota', sa.Integer(), nullable=False),
        sa.Column('used', sa.Integer(), nullable=False),
        sa.Column('origin', sa.String(length=120), nullable=False),
        sa.Column('issued_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('issued_by', _ID, nullable=False),
        sa.CheckConstraint('used >= 0 AND used <= quota', name=op.f('ck_coupon_grants_used_within_quota')),
        sa.ForeignKeyConstraint(['campaign_id'], ['coupon_campaigns.id'],
                                name=op.f('fk_coupon_grants_campaign_id_coupon_campaigns')),
        sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'],
                                name=op.f('fk_coupon_grants_dealer_account_id_dealer_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_grants')),
    )
    op.create_index('uq_coupon_grants_campaign_dealer', 'coupon_grants', ['campaign_id', 'dealer_account_id'],
                    unique=True)
    op.create_index('ix_coupon_grants_dealer_account_id', 'coupon_grants', ['dealer_account_id'])
    op.create_table(
        'coupon_redemptions',
        sa.Column('id', _ID, autoincrement=True, nullable=False),
        sa.Column('grant_id', _ID, nullable=False),
        sa.Column('campaign_id', _ID, nullable=False),
        sa.Column('order_id', _ID, nullable=False),
        sa.Column('dealer_account_id', _ID, nullable=False),
        sa.Column('business_unit', sa.String(length=32), nullable=False),
        sa.Column('amount', MoneyType(), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('redeemed_at', UtcDateTime(timezone=True), nullable=False),
        sa.Column('journal_entry_id', _ID, nullable=False),
        sa.Column('reversed_at', UtcDateTime(timezone=True), nullable=True),
        sa.Column('reversal_entry_id', _ID, nullable=True),
        sa.CheckConstraint("status IN ('redeemed', 'reversed')", name=op.f('ck_coupon_redemptions_status')),
        sa.ForeignKeyConstraint(['campaign_id'], ['coupon_campaigns.id'],
                                name=op.f('fk_coupon_redemptions_campaign_id_coupon_campaigns')),
        sa.ForeignKeyConstraint(['dealer_account_id'], ['dealer_accounts.id'],
                                name=op.f('fk_coupon_redemptions_dealer_account_id_dealer_accounts')),
        sa.ForeignKeyConstraint(['grant_id'], ['coupon_grants.id'],
                                name=op.f('fk_coupon_redemptions_grant_id_coupon_grants')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_coupon_redemptions_order_id_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_redemptions')),
        sa.UniqueConstraint('order_id', name=op.f('uq_coupon_redemptions_order_id')),
    )
    op.create_index('ix_coupon_redemptions_dealer_account_id', 'coupon_redemptions', ['dealer_account_id'])
    if op.get_bind().dialect.name == "postgresql":  # grouplake_append_only() comes from 0002
        op.execute("CREATE TRIGGER benefit_policies_append_only BEFORE UPDATE OR DELETE ON benefit_policies "
                   "FOR EACH ROW EXECUTE FUNCTION grouplake_append_only()")
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER benefit_policies_no_{verb.lower()} BEFORE {verb} ON benefit_policies "
                       "BEGIN SELECT RAISE(ABORT, 'benefit_policies is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS benefit_policies_append_only ON benefit_policies")
    op.drop_index('ix_coupon_redemptions_dealer_account_id', table_name='coupon_redemptions')
    op.drop_table('coupon_redemptions')
    op.drop_index('ix_coupon_grants_dealer_account_id', table_name='coupon_grants')
    op.drop_index('uq_coupon_grants_campaign_dealer', table_name='coupon_grants')
    op.drop_table('coupon_grants')
    op.drop_table('coupon_campaigns')
    op.drop_index('ix_order_terms_dealer_account_id', table_name='order_terms')
    op.drop_table('order_terms')
    op.drop_table('customer_benefits')
    op.drop_index('uq_benefit_policies_business_unit_version', table_name='benefit_policies')
    op.drop_table('benefit_policies')
