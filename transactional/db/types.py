"""Column types that behave the same on SQLite and PostgreSQL.

* :class:`MoneyType` — ``numeric(18,4)`` on PostgreSQL; on SQLite, whose NUMERIC affinity
  would silently turn amounts into binary floats, the exact decimal string. Python sees a
  ``Decimal`` quantized to 4 places either way.
* :class:`RateType` — an FX rate, ``numeric(18,8)``, handled like ``MoneyType``.
* :class:`UtcDateTime` — ``timestamptz`` on PostgreSQL; naive-UTC text on SQLite. Python
  always gets an aware UTC datetime, and naive datetimes are refused on the way in.
* :data:`JSONDocument` — ``jsonb`` on PostgreSQL, JSON text on SQLite.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Numeric, String
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

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
