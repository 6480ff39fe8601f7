"""The benefit tables: segment policies, customer benefits, order terms and coupons.

A *customer* of the platform is a dealer account (``dealer_accounts``: a buyer user, or a
whole unit buying as a dealer), linked to the CRM by ``customer_ref``; the lake's segments
(``gold.customer_segments``) are keyed by (business unit, CRM customer id) and so are
``customer_benefits``.

Invariants the database enforces:

* ``benefit_policies`` is append-only (triggers): every change is a new version per unit.
* ``coupon_grants.used`` stays within ``0 .. quota`` (``CHECK``): a coupon is never used
  more often than issued, whatever the concurrency.
* one coupon redemption per order (unique ``order_id``); ``order_terms`` one row per order.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

benefit_policies = Table(
    "benefit_policies", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rules", JSONDocument, nullable=False),  # {"default": {...}, "segments": {...}}
    Column("note", String(500)),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", Id, nullable=False),
    Index("uq_benefit_policies_business_unit_version", "business_unit", "version", unique=True),
    sqlite_autoincrement=True,
)

customer_benefits = Table(
    "customer_benefits", metadata,
    Column("business_unit", String(32), primary_key=True),
    Column("customer_ref", String(64), primary_key=True),  # the CRM customer id
    Column("customer_name", String(300)),
    Column("segment", String(32), nullable=False),
    Column("rfm_cell", String(8)),
    Column("clv", MoneyType()),
    Column("payment_terms_days", Integer()),  # None: the unit has no policy (global default)
    Column("credit_limit", MoneyType()),
    Column("currency", String(3)),
    Column("account_manager", Boolean(), nullable=False),
    Column("discount_tier", String(32)),
    Column("campaigns", JSONDocument, nullable=False),  # campaign codes the segment receives
    Column("policy_version", Integer()),  # the policy version that granted them
    Column("snapshot_version", String(64), nullable=False),  # the segments snapshot
    Column("granted_at", UtcDateTime(), nullable=False),  # when these terms took effect
    Column("updated_at", UtcDateTime(), nullable=False),
)

order_terms = Table(
    "order_terms", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("business_unit", String(32), nullable=False),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id")),
    Column("customer_ref", String(64)),
    Column("segment", String(32)),
    Column("policy_version", Integer()),
    Column("snapshot_version", String(64)),
    Column("payment_terms_days", Integer(), nullable=False),
    Column("origin", String(16), nullable=False),  # segment | default
    Column("recorded_at", UtcDateTime(), nullable=False),
    Index("ix_order_terms_dealer_account_id", "dealer_account_id"),
)

coupon_campaigns = Table(
    "coupon_campaigns", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("kind", String(16), nullable=False),  # amount_off | percent_off | threshold
    Column("currency", String(3), nullable=False),
    Column("amount", MoneyType()),  # amount_off: the amount; threshold: the reduction
    Column("percent", MoneyType()),  # percent_off
    Column("max_discount", MoneyType()),  # cap (percent_off, repeating threshold)
    Column("min_order_amount", MoneyType()),  # threshold: the 满 amount
    Column("repeat", Boolean(), nullable=False),  # threshold: per full threshold
    Column("per_customer_limit", Integer(), nullable=False),
    Column("stacks_with_promotions", Boolean(), nullable=False),
    Column("valid_from", UtcDateTime(), nullable=False),
    Column("valid_to", UtcDateTime()),
    Column("is_active", Boolean(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", Id, nullable=False),
    CheckConstraint("kind IN ('amount_off', 'percent_off', 'threshold')", name="kind"),
    CheckConstraint("per_customer_limit > 0", name="limit_positive"),
)

coupon_grants = Table(
    "coupon_grants", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("campaign_id", Id, ForeignKey("coupon_campaigns.id"), nullable=False),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), nullable=False),
    Column("quota", Integer(), nullable=False),
    Column("used", Integer(), nullable=False),
    Column("origin", String(120), nullable=False),  # segment:<s>@policy v<n> | list | policy …
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("issued_by", Id, nullable=False),
    CheckConstraint("used >= 0 AND used <= quota", name="used_within_quota"),
    Index("uq_coupon_grants_campaign_dealer", "campaign_id", "dealer_account_id", unique=True),
    Index("ix_coupon_grants_dealer_account_id", "dealer_account_id"),
)

coupon_redemptions = Table(
    "coupon_redemptions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("grant_id", Id, ForeignKey("coupon_grants.id"), nullable=False),
    Column("campaign_id", Id, ForeignKey("coupon_campaigns.id"), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False, unique=True),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # redeemed | reversed
    Column("redeemed_at", UtcDateTime(), nullable=False),
    Column("journal_entry_id", Id, nullable=False),
    Column("reversed_at", UtcDateTime()),
    Column("reversal_entry_id", Id),
    CheckConstraint("status IN ('redeemed', 'reversed')", name="status"),
    Index("ix_coupon_redemptions_dealer_account_id", "dealer_account_id"),
)
