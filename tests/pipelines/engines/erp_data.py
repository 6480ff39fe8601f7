"""A small deterministic ERP database built from the ERP's own DDL (pipelines/sources/erp/tables.py).

Values are derived from the column types, so every lake type is exercised (text, int, float,
decimal(18,4) and (18,8), dates, UTC timestamps, booleans, JSON). Change timestamps repeat
(three rows per minute) so keyset ties are exercised too.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import sqlalchemy as sa

from pipelines.sources.erp.tables import metadata

TABLES = ("vendors", "purchase_orders", "materials", "fx_rates", "warehouses")
T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def _value(column: sa.Column, table: str, i: int, rng: random.Random) -> object:
    t = column.type
    if column.primary_key:
        return f"{table[:3].upper()}-{i:05d}"
    if column.nullable and not column.info.get("required") and rng.random() < 0.15:
        return None
    if column.name == "currency" or column.name.endswith("_currency"):
        return rng.choice(["CNY", "USD", "EUR"])
    if isinstance(t, sa.Boolean):
        return rng.random() < 0.5
    if isinstance(t, sa.Float):
        return round(rng.uniform(-90, 90), 6)
    if isinstance(t, sa.Numeric):
        scale = t.scale if t.scale is not None else 4
        return Decimal(rng.randint(0, 10**9)).scaleb(-scale)
    if isinstance(t, sa.Integer):
        return rng.randint(0, 500)
    if isinstance(t, sa.DateTime):
        return T0 + dt.timedelta(seconds=rng.randint(0, 10**6), microseconds=rng.randint(0, 999_999))
    if isinstance(t, sa.Date):
        return dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
    if isinstance(t, sa.JSON):
        return {"grade": rng.choice(["A", "B", "C"]), "i": i, "tags": ["x", "中文"]}
    if isinstance(t, sa.String):
        text = f"{column.name}-{rng.randint(0, 99)}-名称"
        return text[: t.length] if t.length else text
    raise TypeError(f"no test value for {column.name}: {t!r}")


def rows_for(table: sa.Table, start: int, count: int, seed: int = 7, minute: int = 0) -> list[dict]:
    """``count`` rows with keys ``start…``; change timestamps three per minute from ``minute``."""
    rng = random.Random(f"{seed}:{table.name}:{start}")
    rows = []
    for i in range(start, start + count):
        row = {c.name: _value(c, table.name, i, rng) for c in table.columns}
        changed = T0 + dt.timedelta(minutes=minute + (i - start) // 3)
        row["created_at"] = changed - dt.timedelta(days=1)
        row["updated_at"] = changed
        rows.append(row)
    return rows


def build_erp(engine: sa.Engine, rows_per_table: int = 40, seed: int = 7) -> None:
    """Create the test tables and fill them."""
    tables = [metadata.tables[name] for name in TABLES]
    metadata.create_all(engine, tables=tables)
    with engine.begin() as conn:
        for table in tables:
            conn.execute(table.insert(), rows_for(table, 0, rows_per_table, seed))


def change_erp(engine: sa.Engine, seed: int = 8) -> None:
    """A second day: newer updates, same-timestamp edits (must not land), new rows."""
    later = T0 + dt.timedelta(days=1)
    with engine.begin() as conn:
        for name in TABLES:
            table = metadata.tables[name]
            pk = table.primary_key.columns.values()[0]
            keys = [r[0] for r in conn.execute(sa.select(pk).order_by(pk))]
            # strictly newer: lands
            conn.execute(
                table.update().where(pk.in_(keys[:5])).values(updated_at=later, created_at=later)
            )
            # same change timestamp, other values: an equal timestamp is not newer
            conn.execute(table.update().where(pk.in_(keys[5:8])).values(created_at=later))
            conn.execute(table.insert(), rows_for(table, 1000, 12, seed, minute=60 * 24 + 5))
