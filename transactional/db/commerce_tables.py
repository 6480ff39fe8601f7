"""The commerce tables: FX rates, approval limits, promotions, dealer rebates, payments,
the double-entry ledger, supplier statements and supplier onboarding.

On the same ``metadata`` as :mod:`transactional.db.tables` (which imports this module), so
Alembic and the schema test see one schema. Append-only (UPDATE/DELETE refused by triggers,
migration 0002): ``journal_entries``, ``journal_lines``, ``statements``,
``statement_lines``, ``promotion_versions``, ``payment_events`` — corrections are new rows.
Money columns are ``MoneyType`` next to a currency; rates ``RateType`` with their date and
source wherever a conversion was made.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables import Id, metadata
from transactional.db.types import JSONDocument, MoneyType, RateType, UtcDateTime


def _conversion(prefix: str = "fx") -> list[Column]:
    """Rate, rate date and source of a recorded conversion (NULL when none was needed)."""
    return [Column(f"{prefix}_rate", RateType()), Column(f"{prefix}_rate_date", Date()),
            Column(f"{prefix}_source", String(300))]


fx_rates = Table(
    "fx_rates", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("rate_date", Date(), nullable=False),
    Column("from_currency", String(3), nullable=False),
    Column("to_currency", String(3), nullable=False),
    Column("rate", RateType(), nullable=False),  # 1 from = rate to
    Column("source", String(120), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", Id, nullable=False),  # 0 = a trusted local command (ERP load)
    Index("uq_fx_rates_pair_date", "from_currency", "to_currency", "rate_date", unique=True),
)

approval_limits = Table(
    "approval_limits", metadata,
    Column("business_unit", String(32), ForeignKey("business_units.code"), primary_key=True),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("updated_by", Id, nullable=False),
)

order_approvals = Table(
    "order_approvals", metadata,
    Column("order_id", Id, ForeignKey("orders.id"), primary_key=True),
    Column("status", String(16), nullable=False),  # pending | approved | rejected | expired
    Column("order_amount", MoneyType(), nullable=False),
    Column("order_currency", String(3), nullable=False),
    Column("limit_amount", MoneyType(), nullable=False),
    Column("limit_currency", String(3), nullable=False),
    Column("converted_amount", MoneyType()),  # order amount in the limit's currency
    *_conversion(),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("decided_at", UtcDateTime()),
    Column("decided_by", Id),
    Column("reason", String(500)),
    Index("ix_order_approvals_status_expires", "status", "expires_at"),
)

promotions = Table(
    "promotions", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code")),  # None: all
    Column("category_id", Id, ForeignKey("categories.id")),  # None: all categories
    Column("supplier_id", String(64), ForeignKey("suppliers.id")),  # None: any supplier
    Column("currency", String(3)),
    Column("valid_from", UtcDateTime(), nullable=False),
    Column("valid_to", UtcDateTime()),  # exclusive; None: open-ended
    Column("priority", Integer(), nullable=False),
    Column("stacking", String(16), nullable=False),  # exclusive | stackable
    Column("stacks_with", JSONDocument, nullable=False),  # kinds accepted alongside
    Column("rules", JSONDocument, nullable=False),
    Column("is_active", Boolean(), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("kind IN ('full_reduction', 'percentage', 'tiered_rebate')", name="kind"),
    CheckConstraint("stacking IN ('exclusive', 'stackable')", name="stacking"),
    Index("ix_promotions_kind_active", "kind", "is_active"),
)

promotion_versions = Table(
    "promotion_versions", metadata,
    Column("promotion_id", Id, ForeignKey("promotions.id"), primary_key=True),
    Column("version", Integer(), primary_key=True),
    Column("snapshot", JSONDocument, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("created_by", Id, nullable=False),
)

order_line_promotions = Table(
    "order_line_promotions", metadata,
    Column("order_id", Id, primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("sequence", Integer(), primary_key=True),
    Column("promotion_id", Id, ForeignKey("promotions.id"), nullable=False),
    Column("promotion_version", Integer(), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
)

dealer_accounts = Table(
    "dealer_accounts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(64), nullable=False, unique=True),
    Column("name", String(300), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("buyer_user_id", Id, ForeignKey("users.id"), unique=True),  # None: the whole unit
    Column("customer_ref", String(64)),  # e.g. the CRM customer id
    Column("created_at", UtcDateTime(), nullable=False),
)

rebate_periods = Table(
    "rebate_periods", metadata,
    Column("promotion_id", Id, ForeignKey("promotions.id"), primary_key=True),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), primary_key=True),
    Column("period_start", Date(), primary_key=True),
    Column("period_end", Date(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("volume", MoneyType(), nullable=False),
    Column("accrued", MoneyType(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

rebate_accruals = Table(
    "rebate_accruals", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # accrual | reversal
    Column("promotion_id", Id, ForeignKey("promotions.id"), nullable=False),
    Column("promotion_version", Integer(), nullable=False),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), nullable=False),
    Column("period_start", Date(), nullable=False),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False, index=True),
    Column("line_no", Integer(), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("supplier_id", String(64), nullable=False),
    Column("volume", MoneyType(), nullable=False),  # signed, programme currency
    Column("amount", MoneyType(), nullable=False),  # signed, programme currency
    Column("currency", String(3), nullable=False),
    Column("tiers", JSONDocument, nullable=False),  # the tier slices
    *_conversion(),  # line currency -> programme currency, when they differ
    Column("accrued_at", UtcDateTime(), nullable=False),
    Column("journal_entry_id", Id, nullable=False),
    Column("dealer_settlement_id", Id),
    Column("statement_id", Id),
    Index("ix_rebate_accruals_supplier_open", "supplier_id", "statement_id"),
    Index("ix_rebate_accruals_dealer_open", "dealer_account_id", "dealer_settlement_id"),
)

dealer_settlements = Table(
    "dealer_settlements", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dealer_account_id", Id, ForeignKey("dealer_accounts.id"), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("accruals", Integer(), nullable=False),
    Column("settled_at", UtcDateTime(), nullable=False),
    Column("settled_by", Id, nullable=False),
    Column("journal_entry_id", Id, nullable=False),
)

payment_intents = Table(
    "payment_intents", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False, unique=True),
    Column("provider", String(32), nullable=False),
    Column("provider_reference", String(64), nullable=False, unique=True),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # requires_payment | succeeded | failed
    Column("captured_amount", MoneyType(), nullable=False),
    Column("refunded_amount", MoneyType(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("succeeded_at", UtcDateTime()),
)

payment_events = Table(
    "payment_events", metadata,
    Column("provider_event_id", String(128), primary_key=True),
    Column("payment_intent_id", Id, ForeignKey("payment_intents.id"), nullable=False),
    Column("event_type", String(32), nullable=False),
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("body_sha256", String(64), nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
)

refunds = Table(
    "refunds", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False, index=True),
    Column("payment_intent_id", Id, ForeignKey("payment_intents.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # refund | cancellation | late_payment
    Column("amount", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("reason", String(500)),
    Column("business_unit", String(32), nullable=False),
    Column("supplier_id", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("actor_user_id", Id, nullable=False),
    Column("journal_entry_id", Id, nullable=False),
    Column("statement_id", Id),  # set when a supplier statement recovers it
    Index("ix_refunds_supplier_open", "supplier_id", "statement_id"),
)

ledger_accounts = Table(
    "ledger_accounts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("code", String(200), nullable=False, unique=True),
    Column("currency", String(3), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

journal_entries = Table(
    "journal_entries", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("entry_type", String(32), nullable=False),
    Column("reference_type", String(32), nullable=False),
    Column("reference_id", String(64), nullable=False),
    Column("business_unit", String(32)),
    Column("supplier_id", String(64)),
    Column("description", String(500)),
    Column("posted_at", UtcDateTime(), nullable=False),
    Column("posted_by", Id, nullable=False),
    Index("ix_journal_entries_reference", "reference_type", "reference_id"),
    sqlite_autoincrement=True,
)

journal_lines = Table(
    "journal_lines", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("entry_id", Id, ForeignKey("journal_entries.id"), nullable=False, index=True),
    Column("account_id", Id, ForeignKey("ledger_accounts.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("debit", MoneyType(), nullable=False),
    Column("credit", MoneyType(), nullable=False),
    sqlite_autoincrement=True,
)

statements = Table(
    "statements", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False),
    Column("kind", String(16), nullable=False),  # regular | correction
    Column("corrects_statement_id", Id),
    Column("period_start", Date(), nullable=False),
    Column("period_end", Date(), nullable=False),  # exclusive
    Column("currency", String(3), nullable=False),  # the supplier's settlement currency
    Column("gross_amount", MoneyType(), nullable=False),
    Column("promotion_amount", MoneyType(), nullable=False),
    Column("refund_amount", MoneyType(), nullable=False),
    Column("rebate_amount", MoneyType(), nullable=False),
    Column("adjustment_amount", MoneyType(), nullable=False),
    Column("net_amount", MoneyType(), nullable=False),  # payable (negative: receivable)
    Column("line_count", Integer(), nullable=False),
    Column("due_date", Date(), nullable=False),
    Column("journal_entry_id", Id, nullable=False),
    Column("issued_at", UtcDateTime(), nullable=False),
    Column("issued_by", Id, nullable=False),
    Index("ix_statements_supplier_period", "supplier_id", "period_start"),
    sqlite_autoincrement=True,
)

statement_lines = Table(
    "statement_lines", metadata,
    Column("statement_id", Id, ForeignKey("statements.id"), primary_key=True),
    Column("line_no", Integer(), primary_key=True),
    Column("line_type", String(16), nullable=False),  # goods | promotion | refund | rebate | adjustment
    Column("order_id", Id),
    Column("reference_type", String(32), nullable=False),
    Column("reference_id", String(64), nullable=False),
    Column("event_date", Date(), nullable=False),
    Column("description", String(300)),
    Column("source_amount", MoneyType(), nullable=False),
    Column("source_currency", String(3), nullable=False),
    *_conversion(),
    Column("amount", MoneyType(), nullable=False),  # signed, statement currency
)

supplier_applications = Table(
    "supplier_applications", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), nullable=False),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # submitted | approved | rejected
    Column("company_name", String(300), nullable=False),
    Column("uscc", String(18), nullable=False),
    Column("address", String(300), nullable=False),
    Column("phone", String(40), nullable=False),
    Column("city", String(100), nullable=False),
    Column("province", String(100)),
    Column("bank_name", String(120)),
    Column("bank_account", String(60), nullable=False),
    Column("contact_name", String(100)),
    Column("settlement_currency", String(3), nullable=False),
    Column("submitted_by", Id, nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("reviewed_by", Id),
    Column("reviewed_at", UtcDateTime()),
    Column("review_reason", String(500)),
    Index("ix_supplier_applications_uscc", "uscc"),
)

supplier_documents = Table(
    "supplier_documents", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("application_id", Id, ForeignKey("supplier_applications.id"), nullable=False,
           index=True),
    Column("doc_type", String(32), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size_bytes", Integer(), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("storage_key", String(200), nullable=False),  # relative to oltp.document_dir
    Column("uploaded_by", Id, nullable=False),
    Column("uploaded_at", UtcDateTime(), nullable=False),
)
