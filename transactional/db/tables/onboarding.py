"""The onboarding tables: supplier applications, their qualification documents and the
automatic checks run on them (``supplier_application_checks``: one row per run, the latest
in force; the OCR'd legal representative and bank account stored encrypted, masked in
``fields`` / ``certificates``). A document may replace an earlier one (resubmission).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import EncryptedText, JSONDocument, UtcDateTime, search_hash_of

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
    Column("bank_account", String(60), nullable=False),  # masked, as on suppliers
    Column("bank_account_enc", EncryptedText("supplier_applications.bank_account")),
    Column("bank_account_hmac", String(64),
           default=search_hash_of("bank_account_enc", "bank_account"), index=True),
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
    # a corrected document replacing an earlier one of the application (resubmission):
    # the replaced one is no longer checked
    Column("replaces_document_id", Id, ForeignKey("supplier_documents.id")),
)

supplier_application_checks = Table(
    "supplier_application_checks", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("application_id", Id, ForeignKey("supplier_applications.id"), nullable=False,
           index=True),
    Column("document_id", Id, ForeignKey("supplier_documents.id")),  # the licence read
    Column("fields", JSONDocument, nullable=False),  # OCR fields, legal representative masked
    Column("legal_representative_enc",
           EncryptedText("supplier_application_checks.legal_representative")),
    Column("checks", JSONDocument, nullable=False),  # [{name, passed, detail, …}]
    # OCR'd certificates [{document_id, doc_type, document_type, fields}], account masked
    Column("certificates", JSONDocument),
    Column("bank_account_enc",  # the account read on the bank account certificate
           EncryptedText("supplier_application_checks.bank_account")),
    Column("fast_track", Boolean(), nullable=False),  # every check passed
    Column("checked_by", Id, nullable=False),
    Column("checked_at", UtcDateTime(), nullable=False),
    sqlite_autoincrement=True,
)
