"""The accounting tables: dated FX rates and the double-entry ledger.

Journal entries and lines are append-only (triggers, migration 0002): a mistake is
corrected by a new entry.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import MoneyType, RateType, UtcDateTime

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
