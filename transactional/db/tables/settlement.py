"""The settlement tables: supplier statements and their lines.

Append-only (triggers, migration 0002): a correction is a new statement.
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
from transactional.db.types import MoneyType, UtcDateTime

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
    *conversion_columns(),
    Column("amount", MoneyType(), nullable=False),  # signed, statement currency
)
