"""Column types that behave the same on SQLite and PostgreSQL.

* :class:`MoneyType` — ``numeric(18,4)`` on PostgreSQL; on SQLite, whose NUMERIC affinity
  would silently turn amounts into binary floats, the exact decimal string. Python sees a
  ``Decimal`` quantized to 4 places either way.
* :class:`RateType` — an FX rate, ``numeric(18,8)``, handled like ``MoneyType``.
* :class:`UtcDateTime` — ``timestamptz`` on PostgreSQL; naive-UTC text on SQLite. Python
  always gets an aware UTC datetime, and naive datetimes are refused on the way in.
* :data:`JSONDocument` — ``jsonb`` on PostgreSQL, JSON text on SQLite.
* :class:`EncryptedText` — a sensitive string, stored SM4-GCM-encrypted under the engine's
  field key, with :func:`search_hash_of` as the default of its keyed-hash search column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Numeric, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from infra.fieldcrypt import FieldCipher
from transactional.domain.fx import to_rate
from transactional.domain.money import to_decimal


class MoneyType(TypeDecorator[Decimal]):
    """An exact amount, ``decimal(18,4)``."""

    impl = Numeric(18, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(18, 4, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = to_decimal(value)
        return str(amount) if dialect.name == "sqlite" else amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return to_decimal(str(value))


class RateType(TypeDecorator[Decimal]):
    """An exact FX rate, ``decimal(18,8)`` (text on SQLite)."""

    impl = Numeric(18, 8)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(24))
        return dialect.type_descriptor(Numeric(18, 8, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        rate = to_rate(value)
        return str(rate) if dialect.name == "sqlite" else rate

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else to_rate(str(value))


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A UTC timestamp; aware datetimes only."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware datetimes")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


#: A JSON document column (jsonb on PostgreSQL).
JSONDocument = JSON().with_variant(postgresql.JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


#: Attribute of an engine's dialect holding its :class:`infra.fieldcrypt.FieldCipher`
#: (set by :class:`transactional.db.database.Database`).
CIPHER_ATTRIBUTE = "grouplake_field_cipher"


def field_cipher(bind: Any) -> FieldCipher | None:
    """The field cipher of an engine, connection or session (None when not configured)."""
    if isinstance(bind, Session):
        bind = bind.get_bind()
    return getattr(bind.dialect, CIPHER_ATTRIBUTE, None)


class EncryptedText(TypeDecorator[str]):
    """A string stored encrypted (SM4-GCM, ``infra/fieldcrypt.py``), clear in Python.

    The key is the engine's (``Database(..., field_cipher=…)``); ``column`` is the
    associated data, so a value copied into another column does not decrypt. Writing
    without a key is refused; reading without one returns the sealed text unchanged.
    """

    impl = String(255)
    cache_ok = True

    def __init__(self, column: str) -> None:
        super().__init__()
        self.column = column

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        cipher = getattr(dialect, CIPHER_ATTRIBUTE, None)
        if cipher is None:
            raise RuntimeError("no field encryption key configured (OLTP__FIELD_ENCRYPTION_KEY)"
                               "; build the Database with Database.from_settings")
        return cipher.encrypt(str(value), self.column)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        cipher = getattr(dialect, CIPHER_ATTRIBUTE, None)
        return value if cipher is None else cipher.decrypt(value, self.column)


def search_hash_of(source: str, column: str) -> Callable[[Any], str | None]:
    """A column default: the keyed search hash of the clear value inserted into ``source``
    (the insert's own parameters), None when that is None."""
    def default(context: Any) -> str | None:
        value = context.get_current_parameters().get(source)
        if value is None:
            return None
        cipher = getattr(context.dialect, CIPHER_ATTRIBUTE, None)
        if cipher is None:
            raise RuntimeError("no field encryption key configured (OLTP__FIELD_ENCRYPTION_KEY)")
        return cipher.search_hash(str(value), column)

    return default
