"""A tiny ERP in DuckDB for feature and model tests: the bronze views the ML SQL reads.

Only the columns the features use are declared; a row may leave any out (NULL). Every test
builds exactly the rows it needs and asserts exact feature values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import duckdb

DDL: dict[str, dict[str, str]] = {
    "business_units": {"business_unit_code": "VARCHAR", "approval_limit": "DECIMAL(18,4)", "currency": "VARCHAR"},
    "users": {"user_id": "VARCHAR", "business_unit_code": "VARCHAR", "role": "VARCHAR"},
    "vendors": {"vendor_id": "VARCHAR", "business_unit_code": "VARCHAR", "name": "VARCHAR", "city": "VARCHAR",
                "bank_account": "VARCHAR", "status": "VARCHAR", "created_at": "TIMESTAMPTZ"},
    "vendor_bank_accounts": {"vendor_bank_account_id": "VARCHAR", "vendor_id": "VARCHAR", "bank_name": "VARCHAR",
                             "bank_account": "VARCHAR", "changed_at": "TIMESTAMPTZ", "changed_by": "VARCHAR",
                             "valid_to": "TIMESTAMPTZ"},
    "supplier_offers": {"supplier_offer_id": "VARCHAR", "vendor_id": "VARCHAR", "material_id": "VARCHAR",
                        "price_tiers": "VARCHAR", "currency": "VARCHAR", "valid_from": "DATE",
                        "lead_time_days": "INTEGER"},
    "materials": {"material_id": "VARCHAR", "sku": "VARCHAR", "name": "VARCHAR"},
    "purchase_orders": {"purchase_order_id": "VARCHAR", "business_unit_code": "VARCHAR", "vendor_id": "VARCHAR",
                        "buyer_id": "VARCHAR", "approved_by": "VARCHAR", "order_date": "DATE",
                        "created_at": "TIMESTAMPTZ", "approved_at": "TIMESTAMPTZ", "currency": "VARCHAR",
                        "total_amount": "DECIMAL(18,4)", "approval_limit": "DECIMAL(18,4)", "status": "VARCHAR"},
    "purchase_order_lines": {"purchase_order_line_id": "VARCHAR", "purchase_order_id": "VARCHAR",
                             "material_id": "VARCHAR", "quantity": "DECIMAL(18,4)", "unit_price": "DECIMAL(18,4)",
                             "currency": "VARCHAR", "supplier_offer_id": "VARCHAR",
                             "price_overridden_at": "TIMESTAMPTZ"},
    "shipments": {"shipment_id": "VARCHAR", "purchase_order_id": "VARCHAR", "vendor_id": "VARCHAR",
                  "promised_date": "DATE", "delivered_at": "TIMESTAMPTZ"},
    "goods_receipts": {"goods_receipt_id": "VARCHAR", "purchase_order_id": "VARCHAR",
                       "purchase_order_line_id": "VARCHAR", "shipment_id": "VARCHAR", "quantity": "DECIMAL(18,4)"},
    "quality_inspections": {"quality_inspection_id": "VARCHAR", "goods_receipt_id": "VARCHAR",
                            "inspected_at": "TIMESTAMPTZ", "sample_size": "INTEGER", "defects_found": "INTEGER"},
    "ap_invoices": {"ap_invoice_id": "VARCHAR", "invoice_number": "VARCHAR", "vendor_id": "VARCHAR",
                    "purchase_order_id": "VARCHAR", "shipment_id": "VARCHAR", "invoice_date": "DATE",
                    "received_at": "TIMESTAMPTZ", "net_amount": "DECIMAL(18,4)", "gross_amount": "DECIMAL(18,4)",
                    "currency": "VARCHAR"},
    "payments": {"payment_id": "VARCHAR", "ap_invoice_id": "VARCHAR", "vendor_id": "VARCHAR",
                 "paid_at": "TIMESTAMPTZ", "payment_date": "DATE", "amount": "DECIMAL(18,4)", "currency": "VARCHAR",
                 "bank_account": "VARCHAR", "bank_name": "VARCHAR"},
    "fx_rates": {"rate_date": "DATE", "from_currency": "VARCHAR", "to_currency": "VARCHAR", "rate": "DECIMAL(18,8)"},
}


def utc(text: str) -> dt.datetime:
    """``"2026-03-02 18:30"`` as an aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


class Erp:
    """Rows per table; :meth:`connect` materialises them as ``bronze.erp__<table>``."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def add(self, table: str, **row: Any) -> Erp:
        unknown = set(row) - set(DDL[table])
        assert not unknown, f"{table}: unknown columns {unknown}"
        self.rows[table].append(row)
        return self

    def connect(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        con.execute("SET TimeZone = 'UTC'")
        con.execute("CREATE SCHEMA bronze")
        for table, columns in DDL.items():
            name = f"bronze.erp__{table}"
            con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns.items())})")
            for row in self.rows.get(table, []):
                names = list(row)
                con.execute(f"INSERT INTO {name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                            [row[n] for n in names])
        return con


def base_erp() -> Erp:
    """One unit (BMAT, limit 1,500,000 CNY), a buyer, an approver, a finance clerk, two vendors."""
    erp = Erp()
    erp.add("business_units", business_unit_code="BMAT", approval_limit=1_500_000, currency="CNY")
    erp.add("users", user_id="U-B1", business_unit_code="BMAT", role="buyer")
    erp.add("users", user_id="U-B2", business_unit_code="BMAT", role="buyer")
    erp.add("users", user_id="U-A1", business_unit_code="BMAT", role="approver")
    erp.add("users", user_id="U-F1", business_unit_code="BMAT", role="finance")
    erp.add("vendors", vendor_id="V1", business_unit_code="BMAT", name="Alpha", city="南宁市",
            bank_account="1111", status="active", created_at=utc("2025-01-01 00:00"))
    erp.add("vendors", vendor_id="V2", business_unit_code="BMAT", name="Beta", city="太原市",
            bank_account="2222", status="active", created_at=utc("2026-02-20 00:00"))
    erp.add("fx_rates", rate_date=dt.date(2026, 1, 1), from_currency="USD", to_currency="CNY", rate=7.0)
    erp.add("fx_rates", rate_date=dt.date(2026, 3, 1), from_currency="USD", to_currency="CNY", rate=7.2)
    return erp


def order(erp: Erp, po: str, *, day: dt.date, amount: float, vendor: str = "V1", buyer: str = "U-B1",
          approver: str = "U-A1", currency: str = "CNY", hour: int = 2) -> Erp:
    """A purchase order entered at ``hour`` UTC (10:00 local by default) and approved an hour later.

    Like the ERP, its ``order_date`` is the local (UTC+8) date of entry.
    """
    created = dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)
    local_date = (created + dt.timedelta(hours=8)).date()
    return erp.add("purchase_orders", purchase_order_id=po, business_unit_code="BMAT", vendor_id=vendor,
                   buyer_id=buyer, approved_by=approver, order_date=local_date, created_at=created,
                   approved_at=created + dt.timedelta(hours=1), currency=currency, total_amount=amount,
                   approval_limit=1_500_000, status="approved")
