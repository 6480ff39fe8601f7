"""Dirty rows in the ERP, as legacy systems really hold them (ground truth kept aside).

Kinds: ``bad_number`` (text in a numeric column; SQLite only, which stores it as TEXT),
``broken_encoding`` (GBK bytes in a TEXT column, not valid UTF-8; SQLite only — fetch with
``text_factory=bytes`` to see them), ``null_required`` (NULL in a column the business
requires), ``dangling_reference`` (an id that exists nowhere), ``negative_quantity``, and
``date_out_of_order`` (a receipt timestamped before its order). Only columns that never
change later are touched, so ``advance`` never repairs them by accident, and
``updated_at`` is left alone (the bad value has been there since the row was written).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import sqlalchemy as sa

from pipelines.sources.erp.tables import metadata

DIRTY_KINDS = ("bad_number", "broken_encoding", "null_required", "dangling_reference", "negative_quantity",
               "date_out_of_order")
SQLITE_ONLY = {"bad_number", "broken_encoding"}
_TARGETS = {
    "bad_number": (("purchase_order_lines", "quantity"), ("goods_receipts", "quantity"),
                   ("ap_invoices", "gross_amount"), ("payments", "amount")),
    "broken_encoding": (("vendors", "address"), ("vendors", "name"), ("materials", "name")),
    "null_required": (("purchase_orders", "vendor_id"), ("purchase_order_lines", "material_id"),
                      ("goods_receipts", "purchase_order_line_id"), ("vendors", "name")),
    "dangling_reference": (("purchase_order_lines", "material_id"), ("goods_receipts", "purchase_order_line_id"),
                           ("payments", "ap_invoice_id"), ("sales_orders", "customer_id")),
    "negative_quantity": (("goods_receipts", "quantity"), ("sales_order_lines", "quantity")),
    "date_out_of_order": (("goods_receipts", "received_at"),),
}


def inject_erp_dirty(engine: sa.Engine, visible: dict[str, pd.DataFrame], per_kind: dict[str, int],
                     rng: np.random.Generator) -> list[tuple]:
    """Corrupt ``per_kind[kind]`` written rows per kind; returns truth rows
    ``(system, table, key, column, kind, detail)``."""
    sqlite = engine.dialect.name == "sqlite"
    truth: list[tuple] = []
    used: set[tuple[str, str]] = set()
    raw_updates: list[tuple[str, str, str, object, str]] = []
    with engine.begin() as conn:
        for kind in DIRTY_KINDS:
            if kind in SQLITE_ONLY and not sqlite:
                continue
            for _ in range(per_kind.get(kind, 0)):
                table_name, column = _TARGETS[kind][int(rng.integers(0, len(_TARGETS[kind])))]
                rows = visible.get(table_name)
                if rows is None or rows.empty:
                    continue
                table = metadata.tables[table_name]
                pk = table.primary_key.columns.keys()[0]
                row = rows.iloc[int(rng.integers(0, len(rows)))]
                key = row[pk]
                if (table_name, key) in used:
                    continue
                used.add((table_name, key))
                if kind == "bad_number":
                    value = str(rng.choice(["N/A", "1,234.50", f"{float(row[column]):.2f}吨", "１２３", "1.234,5"]))
                    raw_updates.append((table_name, column, pk, value, key))
                    detail = f"text {value!r} in a numeric column"
                elif kind == "broken_encoding":
                    text = str(row[column] or "无")
                    raw_updates.append((table_name, column, pk, text.encode("gbk", errors="replace"), key))
                    detail = "GBK bytes stored as TEXT (not UTF-8)"
                else:
                    value, detail = _value(kind, column, row, rng, conn)
                    conn.execute(sa.update(table).where(table.c[pk] == key).values({column: value}))
                truth.append(("erp", table_name, key, column, kind, detail))
    if raw_updates:
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            for table_name, column, pk, value, key in raw_updates:
                if isinstance(value, bytes):
                    cur.execute(f'UPDATE "{table_name}" SET {column} = CAST(? AS TEXT) WHERE {pk} = ?', (value, key))
                else:
                    cur.execute(f'UPDATE "{table_name}" SET {column} = ? WHERE {pk} = ?', (value, key))
            raw.commit()
        finally:
            raw.close()
    return truth


def _value(kind: str, column: str, row: pd.Series, rng: np.random.Generator,
           conn: sa.Connection) -> tuple[object, str]:
    if kind == "null_required":
        return None, "required value missing"
    if kind == "dangling_reference":
        prefix = {"material_id": "MAT-9", "purchase_order_line_id": "PO-X-9", "ap_invoice_id": "INV-9",
                  "customer_id": "CUST-9"}[column]
        value = f"{prefix}{int(rng.integers(10**5, 10**6))}"
        return value, f"{value} does not exist"
    if kind == "negative_quantity":
        return -abs(float(row[column])), "quantity negated"
    po = metadata.tables["purchase_orders"]
    ordered = conn.execute(sa.select(po.c.created_at).where(po.c.purchase_order_id == row["purchase_order_id"])).scalar_one()
    if ordered.tzinfo is None:
        ordered = ordered.replace(tzinfo=dt.UTC)
    seconds = float(np.floor(ordered.timestamp() - float(rng.uniform(2, 20)) * 86400.0))
    return dt.datetime.fromtimestamp(seconds, dt.UTC), "received before the order was placed"
