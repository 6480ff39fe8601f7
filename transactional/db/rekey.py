"""Field key rotation: re-encrypt every encrypted column value with the current key.

Every sealed value names its key (``sm4gcm:<key id>:…``, ``infra/fieldcrypt.py``), so a
rotation needs no downtime: configure the new secret as ``OLTP__FIELD_ENCRYPTION_KEY`` with
a new ``OLTP__FIELD_KEY_ID`` and keep the old one readable in ``OLTP__FIELD_OLDER_KEYS``
(``{"k1": "…"}``); new writes use the new key at once, reads open both, searches try the
hash under both (``FieldCipher.search_hashes``). :func:`rotate` (``grouplake keys rotate``)
then re-encrypts the remaining values in batches, each its own short transaction, and
recomputes their keyed search hash (``<name>_enc`` → ``<name>_hmac``); once it reports
nothing left, the old key can be removed. Re-running it is harmless.

The encrypted columns are found in the table metadata (every
:class:`~transactional.db.types.EncryptedText` column), so a new one is rotated without
being listed here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Column, String, Table, select, type_coerce, update

from transactional.db.database import Database
from transactional.db.tables.base import metadata
from transactional.db.types import EncryptedText, field_cipher


@dataclass(frozen=True)
class EncryptedColumn:
    """A column holding sealed values, and its keyed search-hash column if it has one."""

    table: Table
    column: Column
    search: Column | None
    search_name: str  # the name the search hash is keyed with (e.g. ``bank_account``)

    @property
    def name(self) -> str:
        return f"{self.table.name}.{self.column.name}"


def encrypted_columns() -> Iterator[EncryptedColumn]:
    """Every encrypted column of the schema, with its search-hash companion."""
    for table in metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, EncryptedText):
                base = column.name.removesuffix("_enc")
                yield EncryptedColumn(table, column, table.columns.get(f"{base}_hmac"), base)


def _stale_batch(db: Database, target: EncryptedColumn, key_id: str,
                 batch: int) -> list[tuple[object, str]]:
    key = target.table.primary_key.columns.values()[0]
    raw = type_coerce(target.column, String())
    with db.read() as session:
        return [(r[0], r[1]) for r in session.execute(
            select(key, raw).where(
                raw.is_not(None), ~raw.startswith(f"sm4gcm:{key_id}:", autoescape=True))
            .order_by(key).limit(batch)).all()]


def rotate(db: Database, *, batch: int = 500) -> dict[str, int]:
    """Re-encrypt every value not sealed with the current key; returns the values re-keyed
    per column (``table.column``).

    Raises:
        RuntimeError: no field key configured.
        FieldCryptoError: a value names a key that is neither current nor older (add it
            to ``OLTP__FIELD_OLDER_KEYS``); values before it are already re-keyed.
    """
    cipher = field_cipher(db.engine)
    if cipher is None:
        raise RuntimeError("no field encryption key configured (OLTP__FIELD_ENCRYPTION_KEY)")
    done: dict[str, int] = {}
    for target in encrypted_columns():
        key = target.table.primary_key.columns.values()[0]
        count = 0
        while rows := _stale_batch(db, target, cipher.key_id, batch):
            def rekey(session, rows=rows, target=target, key=key) -> None:
                for row_id, sealed in rows:
                    clear = cipher.decrypt(sealed, target.column.type.column)
                    values = {target.column.name: clear}  # sealed by the column type
                    if target.search is not None:
                        values[target.search.name] = cipher.search_hash(clear,
                                                                        target.search_name)
                    # only if unchanged since read: a value the service rewrote meanwhile
                    # is already sealed with the current key (no lost update)
                    session.execute(update(target.table).where(
                        key == row_id, type_coerce(target.column, String()) == sealed,
                    ).values(values))
            db.run_write(rekey)
            count += len(rows)
        done[target.name] = count
    return done


def remaining(db: Database) -> dict[str, int]:
    """Values per encrypted column still sealed with a key other than the current one."""
    cipher = field_cipher(db.engine)
    if cipher is None:
        raise RuntimeError("no field encryption key configured (OLTP__FIELD_ENCRYPTION_KEY)")
    left: dict[str, int] = {}
    for target in encrypted_columns():
        raw = type_coerce(target.column, String())
        with db.read() as session:
            left[target.name] = len(session.execute(select(raw).where(
                raw.is_not(None),
                ~raw.startswith(f"sm4gcm:{cipher.key_id}:", autoescape=True))).all())
    return left
