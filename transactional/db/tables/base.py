"""The one ``MetaData`` every table registers on, its naming convention, and shared columns.

Alembic migrations under ``db/migrations`` create exactly the tables of this metadata (a test
compares them); the tables themselves are grouped by bounded context in the sibling modules.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, Integer, MetaData, String

from transactional.db.types import RateType

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

#: 64-bit ids on PostgreSQL; SQLite needs INTEGER for its rowid alias (autoincrement).
Id = BigInteger().with_variant(Integer(), "sqlite")


def conversion_columns(prefix: str = "fx") -> list[Column]:
    """Rate, rate date and source of a recorded conversion (NULL when none was needed)."""
    return [Column(f"{prefix}_rate", RateType()), Column(f"{prefix}_rate_date", Date()),
            Column(f"{prefix}_source", String(300))]
