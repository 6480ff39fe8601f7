"""The ERP database of the small demo group: contract, lifecycles, injected fraud and dirt."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from demo.catalogue import validate_attributes
from pipelines.sources.erp.tables import TABLE_NAMES, metadata, required_columns


@pytest.fixture(scope="module")
def erp(demo_settings: object) -> sqlite3.Connection:
    conn = sqlite3.connect(demo_settings.erp.database_url.removeprefix("sqlite:///"))
    conn.text_factory = bytes
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def dirty(truth_dir: Path) -> pd.DataFrame:
    return pd.read_csv(truth_dir / "dirty_rows.csv", dtype=str, keep_default_na=False)


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode()


def test_every_table_exists_with_its_row_count(erp: sqlite3.Connection, demo_manifest: object) -> None:
    for name in TABLE_NAMES:
        (n,) = erp.execute(f'SELECT count(*) FROM "{name}"').fetchone()
        assert n == demo_manifest.row_counts[f"erp.{name}"], name
        assert n > 0, name


def test_updated_at_never_before_created_at_nor_after_the_cutoff(erp: sqlite3.Connection) -> None:
    for name in TABLE_NAMES:
        bad = erp.execute(f'SELECT count(*) FROM "{name}" WHERE updated_at < created_at '
                          f"OR updated_at >= '2026-11-01'").fetchone()[0]
        assert bad == 0, name


def test_primary_keys_follow_the_convention() -> None:
    for table in metadata.sorted_tables:
        (pk,) = table.primary_key.columns
        assert pk.name.endswith("_id")
        assert {"created_at", "updated_at"} <= set(table.c.keys())
        assert any(ix.columns.keys() == ["updated_at"] for ix in table.indexes)
    assert "vendor_id" in required_columns(metadata.tables["purchase_orders"])


def test_required_columns_are_filled_except_injected_dirt(erp: sqlite3.Connection, dirty: pd.DataFrame) -> None:
    allowed = {(r.location, r.column) for r in dirty.itertuples() if r.kind == "null_required"}
    for name in TABLE_NAMES:
        for column in required_columns(metadata.tables[name]):
            n = erp.execute(f'SELECT count(*) FROM "{name}" WHERE {column} IS NULL').fetchone()[0]
            expected = sum(1 for r in dirty.itertuples() if (r.location, r.column, r.kind) == (name, column, "null_required"))
            assert n == expected, (name, column)
            if n:
                assert (name, column) in allowed


def test_dirty_rows_are_really_there(erp: sqlite3.Connection, dirty: pd.DataFrame) -> None:
    erp_dirt = dirty[dirty["system"] == "erp"]
    assert set(erp_dirt["kind"]) == {"bad_number", "broken_encoding", "null_required", "dangling_reference",
                                     "negative_quantity", "date_out_of_order"}
    for r in erp_dirt.itertuples():
        pk = metadata.tables[r.location].primary_key.columns.keys()[0]
        value, kind = erp.execute(f'SELECT {r.column}, typeof({r.column}) FROM "{r.location}" WHERE {pk} = ?',
                                  (r.key,)).fetchone()
        if r.kind == "bad_number":
            assert kind == b"text"
            assert re.fullmatch(rb"-?[0-9]+(\.[0-9]+)?", value) is None
        elif r.kind == "broken_encoding":
            assert kind == b"text"
            with pytest.raises(UnicodeDecodeError):
                value.decode("utf-8")
        elif r.kind == "null_required":
            assert value is None
        elif r.kind == "dangling_reference":
            target = {"material_id": ("materials", "material_id"), "ap_invoice_id": ("ap_invoices", "ap_invoice_id"),
                      "purchase_order_line_id": ("purchase_order_lines", "purchase_order_line_id"),
                      "customer_id": None}[r.column]
            if target:
                assert erp.execute(f"SELECT count(*) FROM {target[0]} WHERE {target[1]} = ?", (value,)).fetchone()[0] == 0
        elif r.kind == "negative_quantity":
            assert float(value) < 0
        elif r.kind == "date_out_of_order":
            ordered = erp.execute("SELECT po.created_at FROM goods_receipts gr JOIN purchase_orders po "
                                  "USING (purchase_order_id) WHERE gr.goods_receipt_id = ?", (r.key,)).fetchone()[0]
            assert value < ordered


def test_python_sqlite_cannot_fetch_the_broken_text_without_a_text_factory(demo_settings: object,
                                                                              dirty: pd.DataFrame) -> None:
    row = dirty[dirty["kind"] == "broken_encoding"].iloc[0]
    pk = metadata.tables[row["location"]].primary_key.columns.keys()[0]
    conn = sqlite3.connect(demo_settings.erp.database_url.removeprefix("sqlite:///"))
    with pytest.raises(sqlite3.OperationalError):
        conn.execute(f'SELECT {row["column"]} FROM "{row["location"]}" WHERE {pk} = ?', (row["key"],)).fetchone()
    conn.close()


def test_statuses_and_lifecycle_timestamps_agree(erp: sqlite3.Connection, dirty: pd.DataFrame) -> None:
    q = erp.execute
    statuses = {_text(s) for (s,) in q("SELECT DISTINCT status FROM purchase_orders")}
    assert statuses <= {"pending_approval", "approved", "acknowledged", "partially_received", "received", "closed",
                        "cancelled"}
    assert {"closed", "received", "cancelled"} <= statuses
    assert q("SELECT count(*) FROM purchase_orders WHERE status = 'pending_approval' AND approved_at IS NOT NULL").fetchone()[0] == 0
    assert q("SELECT count(*) FROM shipments WHERE (status = 'delivered') != (delivered_at IS NOT NULL)").fetchone()[0] == 0
    orphaned = q("SELECT count(*) FROM ap_invoices i WHERE status = 'paid' AND NOT EXISTS "
                 "(SELECT 1 FROM payments p WHERE p.ap_invoice_id = i.ap_invoice_id)").fetchone()[0]
    assert orphaned <= len(dirty[(dirty["location"] == "payments") & (dirty["column"] == "ap_invoice_id")])
    assert q("SELECT count(*) FROM vendor_bank_accounts WHERE is_current = 1 AND valid_to IS NOT NULL").fetchone()[0] == 0
    late = q("SELECT count(*) FROM purchase_orders WHERE status = 'approved' AND order_date < '2026-09-01'").fetchone()[0]
    assert late == 0  # old orders have moved on


def test_money_has_currencies_and_foreign_vendors_bill_in_theirs(erp: sqlite3.Connection) -> None:
    # at this tiny scale the one foreign vendor may get no order (the buyers' demand model, demo/demand.py,
    # orders from segment bundles); its offers and records carry its currency either way
    currencies = {_text(c) for (c,) in erp.execute("SELECT DISTINCT currency FROM supplier_offers")}
    assert "CNY" in currencies and len(currencies) >= 2
    ordered = {_text(c) for (c,) in erp.execute("SELECT DISTINCT currency FROM purchase_orders")}
    assert "CNY" in ordered and ordered <= currencies
    assert erp.execute("SELECT count(*) FROM purchase_orders po JOIN vendors v USING (vendor_id) "
                       "WHERE po.currency != v.currency").fetchone()[0] == 0
    rates = {_text(c) for (c,) in erp.execute("SELECT DISTINCT from_currency FROM fx_rates")}
    assert rates == {"USD", "EUR", "JPY", "AUD", "IDR"}


def test_material_attributes_are_valid_against_their_template(demo_settings: object) -> None:
    engine = sa.create_engine(demo_settings.erp.database_url)
    with engine.connect() as conn:
        templates = dict(conn.execute(sa.text("SELECT category_id, attribute_template FROM material_categories")).all())
        rows = conn.execute(sa.select(metadata.tables["materials"].c.category_id,
                                      metadata.tables["materials"].c.attributes)).all()
    engine.dispose()
    import json

    assert len(rows) > 50
    for category_id, attributes in rows:
        assert validate_attributes(json.loads(templates[category_id]), attributes) == []


def test_fraud_cases_point_at_existing_rows(erp: sqlite3.Connection, truth_dir: Path) -> None:
    with (truth_dir / "fraud_cases.csv").open(encoding="utf-8") as fh:
        cases = list(csv.DictReader(fh))
    kinds = {c["kind"] for c in cases}
    assert kinds == {"split_order", "self_approval", "off_hours_price_override", "duplicate_invoice",
                     "round_amount_invoice", "bank_change_before_payment", "ring_rotation", "price_creep"}
    for case in cases:
        pk = metadata.tables[case["table"]].primary_key.columns.keys()[0]
        assert erp.execute(f'SELECT count(*) FROM "{case["table"]}" WHERE {pk} = ?', (case["key"],)).fetchone()[0] == 1
    for case in cases:
        if case["kind"] == "split_order":
            amount, limit, level = erp.execute("SELECT total_amount, approval_limit, approval_level FROM purchase_orders "
                                               "WHERE purchase_order_id = ?", (case["key"],)).fetchone()
            assert 0.85 * float(limit) < float(amount) < float(limit) and level == 1
        if case["kind"] == "self_approval":
            buyer, approver = erp.execute("SELECT buyer_id, approved_by FROM purchase_orders WHERE purchase_order_id = ?",
                                          (case["key"],)).fetchone()
            assert buyer == approver
        if case["kind"] == "duplicate_invoice":
            a, b = (erp.execute("SELECT vendor_id, gross_amount FROM ap_invoices WHERE ap_invoice_id = ?", (k,)).fetchone()
                    for k in (case["key"], case["related_keys"]))
            assert a == b
