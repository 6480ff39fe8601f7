"""Inventory accuracy per warehouse and its SKU reconciliation lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel


class InventoryAccuracyPublic(BaseModel):
    """One warehouse's accuracy for one snapshot period (``gold.inventory_accuracy``)."""

    warehouse_code: str
    warehouse_id: str | None = None
    warehouse_name: str | None = None
    business_unit_code: str | None = None
    snapshot_date: dt.date
    previous_snapshot_date: dt.date | None = None
    sku_line_count: int
    accurate_sku_line_count: int
    inventory_accuracy_rate: float | None = None
    absolute_stock_difference: Decimal | None = None
    has_rfid: bool | None = None
    rfid_sku_line_count: int | None = None
    rfid_accuracy_rate: float | None = None
    receipt_sku_line_count: int | None = None
    receipt_match_rate: float | None = None
    erp_receipt_quantity: Decimal | None = None
    wms_purchase_receipt_quantity: Decimal | None = None


class StockLinePublic(BaseModel):
    """One SKU of a warehouse snapshot against the book (``gold.stock_reconciliation``)."""

    warehouse_code: str
    business_unit_code: str | None = None
    sku: str
    material_id: str | None = None
    uom: str | None = None
    snapshot_date: dt.date
    previous_snapshot_date: dt.date | None = None
    opening_quantity: Decimal | None = None
    net_movement_quantity: Decimal | None = None
    book_quantity: Decimal | None = None
    snapshot_quantity: Decimal | None = None
    stock_difference: Decimal | None = None
    is_stock_accurate: bool | None = None
    has_rfid: bool | None = None
    rfid_net_quantity: Decimal | None = None
    rfid_difference: Decimal | None = None
    is_rfid_accurate: bool | None = None
    erp_receipt_quantity: Decimal | None = None
    wms_purchase_receipt_quantity: Decimal | None = None
    receipt_difference: Decimal | None = None
    is_receipt_matched: bool | None = None
