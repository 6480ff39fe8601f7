"""The identity tables: business units, suppliers, users and their API keys.

Every other record is scoped to a business unit or a supplier. A supplier user has a
supplier and nobody else does (``CHECK``).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
)

from transactional.db.tables.base import Id, metadata
from transactional.db.types import EncryptedText, UtcDateTime, search_hash_of

ROLE_VALUES = "'buyer', 'supplier', 'procurement', 'finance', 'admin'"

business_units = Table(
    "business_units", metadata,
    Column("code", String(32), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

suppliers = Table(
    "suppliers", metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("credit_code", String(18)),  # unified social credit code, when known
    Column("status", String(16), nullable=False),  # pending | approved | rejected
    Column("created_at", UtcDateTime(), nullable=False),
    Column("business_unit", String(32)),  # the unit that onboarded it, if any
    Column("city", String(100)),
    Column("province", String(100)),
    Column("address", String(300)),
    Column("phone", String(40)),
    Column("bank_name", String(120)),
    Column("bank_account", String(60)),  # masked (6222 **** **** 1234); never the clear value
    Column("settlement_currency", String(3)),  # None: oltp.settlement_currency_default
    # the clear account, encrypted (SM4-GCM), and its keyed hash for exact-match search
    Column("bank_account_enc", EncryptedText("suppliers.bank_account")),
    Column("bank_account_hmac", String(64),
           default=search_hash_of("bank_account_enc", "bank_account"), index=True),
)

users = Table(
    "users", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("business_unit", String(32), ForeignKey("business_units.code")),
    Column("supplier_id", String(64), ForeignKey("suppliers.id")),
    Column("is_active", Boolean(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # bumped by logout, disable and role changes: tokens carrying an older ``ver`` are revoked
    Column("token_version", Integer(), nullable=False, server_default="0"),
    CheckConstraint(f"role IN ({ROLE_VALUES})", name="role"),
    CheckConstraint(
        "(role = 'supplier' AND supplier_id IS NOT NULL) "
        "OR (role <> 'supplier' AND supplier_id IS NULL)",
        name="supplier_link",
    ),
    CheckConstraint("role = 'admin' OR business_unit IS NOT NULL OR role = 'supplier'",
                    name="business_unit_scope"),
)

api_keys = Table(
    "api_keys", metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False, unique=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("revoked_at", UtcDateTime()),
)
