"""Inventory accuracy per warehouse (``gold.inventory_accuracy``) and its SKU lines
(``gold.stock_reconciliation``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from infra.http.pages import Page, PageRequest
from serving.repository.paging import Where, fetch_page, one


def accuracy(cursor: Any, page: PageRequest, *, unit: str | None, warehouse_code: str | None,
             latest_only: bool, from_date: dt.date | None, to_date: dt.date | None) -> Page:
    """Accuracy rows per warehouse and snapshot date (``latest_only``: each warehouse's latest
    snapshot within the date range)."""
    where = (Where().add_if(unit, "business_unit_code = ?").add_if(warehouse_code, "warehouse_code = ?")
             .add_if(from_date, "snapshot_date >= ?").add_if(to_date, "snapshot_date <= ?"))
    latest = (" QUALIFY row_number() OVER (PARTITION BY warehouse_code ORDER BY snapshot_date DESC) = 1"
              if latest_only else "")
    return fetch_page(cursor, f"SELECT * FROM gold.inventory_accuracy{where.sql}{latest}", where.params,
                      "warehouse_code, snapshot_date DESC", page)


def reconciliation(cursor: Any, page: PageRequest, *, unit: str | None, warehouse_code: str,
                   snapshot_date: dt.date | None, inaccurate_only: bool) -> Page:
    """A warehouse's SKU lines: snapshot vs book, RFID gates, ERP vs WMS receipts."""
    where = (Where().add("warehouse_code = ?", warehouse_code).add_if(unit, "business_unit_code = ?")
             .add_if(snapshot_date, "snapshot_date = ?"))
    if inaccurate_only:
        where.add("NOT is_stock_accurate")
    return fetch_page(cursor, f"SELECT * FROM gold.stock_reconciliation{where.sql}", where.params,
                      "snapshot_date DESC, sku", page)


def warehouse_unit(cursor: Any, warehouse_code: str) -> str | None:
    """The business unit of a warehouse with reconciliation lines (``None``: no such warehouse)."""
    found = one(cursor, "SELECT business_unit_code FROM gold.stock_reconciliation "
                "WHERE warehouse_code = ?", [warehouse_code])
    return None if found is None else found["business_unit_code"]
