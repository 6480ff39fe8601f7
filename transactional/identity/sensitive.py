"""Encrypting the sensitive fields a database holds in clear (rows from before encryption).

New rows are written encrypted (``db/types.EncryptedText``); :func:`encrypt_clear_fields`
(``grouplake tx encrypt-fields``, idempotent) seals the bank accounts of older supplier and
application rows, keeping only their masked form in ``bank_account``.
"""

from __future__ import annotations

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from infra.fieldcrypt import mask_account
from transactional.db.tables.identity import suppliers
from transactional.db.tables.onboarding import supplier_applications
from transactional.db.types import field_cipher

TABLES: tuple[Table, ...] = (suppliers, supplier_applications)


def _is_masked(value: str) -> bool:
    return value == "****" or " **** **** " in value


def encrypt_clear_fields(session: Session) -> dict[str, int]:
    """Encrypt every clear bank account; returns the rows sealed per table.

    Raises:
        RuntimeError: the database has no field key (``OLTP__FIELD_ENCRYPTION_KEY``).
    """
    cipher = field_cipher(session)
    if cipher is None:
        raise RuntimeError("no field encryption key configured (OLTP__FIELD_ENCRYPTION_KEY)")
    sealed: dict[str, int] = {}
    for table in TABLES:
        key = table.primary_key.columns.values()[0]
        rows = session.execute(select(key, table.c.bank_account).where(
            table.c.bank_account_enc.is_(None), table.c.bank_account.is_not(None))).all()
        count = 0
        for row_id, clear in rows:
            if _is_masked(clear):
                continue
            session.execute(update(table).where(key == row_id).values(
                bank_account=mask_account(clear), bank_account_enc=clear,
                bank_account_hmac=cipher.search_hash(clear, "bank_account")))
            count += 1
        sealed[table.name] = count
    return sealed
