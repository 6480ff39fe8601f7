"""The rebate tables: dealer accounts, their period volumes, accruals and settlements.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, conversion_columns, metadata
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

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
    *conversion_columns(),  # line currency -> programme currency, when they differ
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
