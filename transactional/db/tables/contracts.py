"""The contract tables: framework contracts (blanket orders), the business units each
covers, its lines with agreed price tiers and committed / remaining quantities, the stored
contract documents and the call-offs placed against it.

The database enforces: a line's remaining quantity is never negative nor above its committed
quantity (``CHECK``), one line per SKU per contract, one call-off row per order line;
``contract_documents`` is append-only (triggers, migration 0011). Signatures and document
hashes are evidence rows of the audit log's hash chain (``contracts/evidence.py``).
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import JSONDocument, MoneyType, UtcDateTime

contracts = Table(
    "contracts", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("supplier_id", String(64), ForeignKey("suppliers.id"), nullable=False, index=True),
    Column("currency", String(3), nullable=False),
    Column("valid_from", Date(), nullable=False),  # inclusive
    Column("valid_to", Date(), nullable=False),  # inclusive
    Column("status", String(24), nullable=False),  # pending_signatures | signed
    Column("source_type", String(32)),  # e.g. sourcing_award
    Column("source_ref", String(64)),  # e.g. the award / event id
    Column("title", String(300), nullable=False),
    Column("document_id", Id),  # the current stored document (contract_documents.id)
    Column("document_sha256", String(64), nullable=False),
    Column("created_by", Id, nullable=False),
    Column("created_role", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("supplier_signed_by", Id),
    Column("supplier_signed_at", UtcDateTime()),
    Column("approved_by", Id),
    Column("approved_at", UtcDateTime()),
    Column("updated_at", UtcDateTime(), nullable=False),
    CheckConstraint("valid_to >= valid_from", name="valid_window"),
)

contract_units = Table(
    "contract_units", metadata,
    Column("contract_id", Id, ForeignKey("contracts.id"), primary_key=True),
    Column("business_unit", String(32), ForeignKey("business_units.code"), primary_key=True),
    Index("ix_contract_units_business_unit", "business_unit"),
)

contract_lines = Table(
    "contract_lines", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("contract_id", Id, ForeignKey("contracts.id"), nullable=False),
    Column("line_no", Integer(), nullable=False),
    Column("sku_id", Id, ForeignKey("skus.id"), nullable=False, index=True),
    Column("price_tiers", JSONDocument, nullable=False),  # [{min_quantity, unit_price}] all-units
    Column("committed_quantity", Integer(), nullable=False),
    Column("remaining_quantity", Integer(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    UniqueConstraint("contract_id", "line_no"),
    UniqueConstraint("contract_id", "sku_id"),
    CheckConstraint("committed_quantity > 0", name="committed_positive"),
    CheckConstraint("remaining_quantity >= 0", name="remaining_not_negative"),
    CheckConstraint("remaining_quantity <= committed_quantity", name="remaining_within_committed"),
)

contract_documents = Table(
    "contract_documents", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("contract_id", Id, ForeignKey("contracts.id"), nullable=False, index=True),
    Column("version", Integer(), nullable=False),
    Column("canonical_json", Text(), nullable=False),  # the structured document (UTF-8 JSON)
    Column("sha256", String(64), nullable=False),  # of canonical_json's UTF-8 bytes
    Column("rendered", Text(), nullable=False),  # the human-readable copy
    Column("rendered_media_type", String(64), nullable=False),
    Column("rendered_sha256", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("contract_id", "version"),
)

contract_call_offs = Table(
    "contract_call_offs", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("order_id", Id, ForeignKey("orders.id"), nullable=False),
    Column("order_line_no", Integer(), nullable=False),
    Column("contract_id", Id, ForeignKey("contracts.id"), nullable=False, index=True),
    Column("contract_line_id", Id, ForeignKey("contract_lines.id"), nullable=False),
    Column("business_unit", String(32), nullable=False),
    Column("quantity", Integer(), nullable=False),
    Column("unit_price", MoneyType(), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("status", String(16), nullable=False),  # reserved | released
    Column("created_at", UtcDateTime(), nullable=False),
    Column("released_at", UtcDateTime()),
    UniqueConstraint("order_id", "order_line_no"),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)
