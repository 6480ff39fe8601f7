"""The ERP source contract: the DDL of the group's consolidated ERP database.

Each business unit runs its own ERP (SAP, Yonyou, Oracle, Kingdee …); the demo group
presents them as one database whose rows carry ``business_unit_code``. These SQLAlchemy
Core tables are what the simulator writes and what the lake ingest and dbt models rely on.

Conventions, for every table:

* one primary-key column ``<entity>_id`` (strings such as ``PO-COAL-0000123``);
* ``created_at`` and ``updated_at`` (UTC; ``updated_at`` is the change timestamp that
  incremental extraction follows, indexed; it is never older than ``created_at``);
* money is ``Numeric(18, 4)`` next to an ISO-4217 ``currency`` column; business dates end
  in ``_date``, timestamps in ``_at``;
* no foreign-key constraints: like the legacy systems it stands for, the source does not
  enforce references, so orphans and NULLs are possible (the demo injects a few).

Columns that the business requires but the legacy source does not enforce are nullable
and carry ``info={"required": True}``: ingest should treat them as required (quarantine a
row where they are NULL), exactly like the ``NOT NULL`` ones. See :func:`required_columns`.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_ID = 40
_REQUIRED = {"required": True}


def _pk(name: str) -> sa.Column:
    return sa.Column(name, sa.String(_ID), primary_key=True)


def _ref(name: str, *, nullable: bool = False, required: bool = True) -> sa.Column:
    """A reference to another entity's id (not enforced by the source)."""
    info = _REQUIRED if (nullable and required) else {}
    return sa.Column(name, sa.String(_ID), nullable=nullable, info=info)


def _money(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Numeric(18, 4), nullable=nullable)


def _qty(name: str, *, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Numeric(18, 4), nullable=nullable)


def _ts(name: str, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _str(name: str, length: int, *, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length), nullable=nullable)


def _currency() -> sa.Column:
    return sa.Column("currency", sa.String(3), nullable=False)


def _table(name: str, comment: str, *columns: sa.Column) -> sa.Table:
    table = sa.Table(
        name, metadata, *columns, _ts("created_at", nullable=False), _ts("updated_at", nullable=False),
        comment=comment, mysql_charset="utf8mb4", mysql_collate="utf8mb4_bin",
    )
    sa.Index(f"ix_{name}_updated_at", table.c.updated_at)
    return table


business_units = _table(
    "business_units", "Business units (事业部), each with its own ERP system and approval limit.",
    _pk("business_unit_id"), _str("business_unit_code", 10, nullable=False),
    _str("name", 100, nullable=False), _str("name_en", 100), _str("erp_system", 60),
    _money("approval_limit"), _currency(),
)

subsidiaries = _table(
    "subsidiaries", "Legal entities of the group (子公司), in China and abroad.",
    _pk("subsidiary_id"), _str("business_unit_code", 10, nullable=False), _str("name", 200, nullable=False),
    _str("name_en", 200), _str("uscc", 18), _str("country", 2, nullable=False), _str("province", 40),
    _str("city", 60), _currency(), sa.Column("is_overseas", sa.Boolean, nullable=False),
)

warehouses = _table(
    "warehouses", "Warehouses and yards with their location; has_wms says whether a WMS runs there.",
    _pk("warehouse_id"), _str("warehouse_code", 30, nullable=False), _ref("subsidiary_id"),
    _str("business_unit_code", 10, nullable=False), _str("name", 200, nullable=False),
    _str("warehouse_type", 30, nullable=False), _str("country", 2, nullable=False), _str("province", 40),
    _str("city", 60), _str("address", 300), sa.Column("latitude", sa.Float, nullable=False),
    sa.Column("longitude", sa.Float, nullable=False), sa.Column("has_wms", sa.Boolean, nullable=False),
    sa.Column("has_rfid", sa.Boolean, nullable=False), sa.Column("has_agv", sa.Boolean, nullable=False),
    sa.Column("is_hazmat", sa.Boolean, nullable=False),
)

users = _table(
    "users", "ERP users: buyers, approvers, directors, warehouse clerks, inspectors, finance, sales.",
    _pk("user_id"), _str("business_unit_code", 10, nullable=False), _str("name", 60, nullable=False),
    _str("role", 30, nullable=False), _str("email", 120), _money("approval_limit", nullable=True),
    _str("approval_currency", 3), sa.Column("is_active", sa.Boolean, nullable=False),
)

material_categories = _table(
    "material_categories",
    "Material categories with their attribute template (JSON: typed attributes, units, ranges, allowed values).",
    _pk("category_id"), _str("name", 100, nullable=False), _str("name_en", 100), _str("sector", 40),
    _str("default_uom", 20, nullable=False), sa.Column("attribute_template", sa.JSON, nullable=False),
    sa.Column("inspection_required", sa.Boolean, nullable=False),
)

materials = _table(
    "materials", "Materials / SKUs; attributes (JSON) are valid against the category's template.",
    _pk("material_id"), _str("sku", 60, nullable=False), _ref("category_id"), _str("name", 200, nullable=False),
    _str("uom", 20, nullable=False), sa.Column("attributes", sa.JSON, nullable=False),
    _str("material_type", 20, nullable=False), _money("standard_price"), _currency(),
    sa.Column("is_active", sa.Boolean, nullable=False),
)

vendors = _table(
    "vendors",
    "Vendor master records, one per record in a business unit's ERP: the same company appears "
    "under several (alias) names across units.",
    _pk("vendor_id"), _str("business_unit_code", 10, nullable=False), _str("vendor_code", 30, nullable=False),
    sa.Column("name", sa.String(300), nullable=True, info=_REQUIRED), _str("uscc", 40),
    _str("country", 2, nullable=False), _str("province", 40), _str("city", 60), _str("industry", 40),
    _str("address", 300), _str("phone", 40), _str("contact", 60), _str("bank_name", 120),
    _str("bank_account", 60), _currency(), sa.Column("payment_terms_days", sa.Integer, nullable=False),
    _str("status", 20, nullable=False),
)

vendor_bank_accounts = _table(
    "vendor_bank_accounts", "History of vendor bank accounts: a new row per change, valid_to closes the old one.",
    _pk("vendor_bank_account_id"), _ref("vendor_id"), _str("bank_name", 120), _str("bank_account", 60, nullable=False),
    _ts("changed_at", nullable=False), _ref("changed_by", nullable=True, required=False), _ts("valid_to"),
    sa.Column("is_current", sa.Boolean, nullable=False),
)

supplier_offers = _table(
    "supplier_offers",
    "Price offers (quotations / info records): validity, MOQ, order multiple, tiered prices "
    "(JSON [{min_qty, unit_price}]) and quoted lead time.",
    _pk("supplier_offer_id"), _ref("vendor_id"), _ref("material_id"), _currency(),
    sa.Column("valid_from", sa.Date, nullable=False), sa.Column("valid_to", sa.Date, nullable=False),
    _qty("moq"), _qty("order_multiple"), sa.Column("price_tiers", sa.JSON, nullable=False),
    sa.Column("lead_time_days", sa.Integer, nullable=False), _str("incoterm", 10),
)

purchase_orders = _table(
    "purchase_orders", "Purchase order headers with approval and supplier acknowledgement.",
    _pk("purchase_order_id"), _str("business_unit_code", 10, nullable=False), _ref("subsidiary_id"),
    _ref("vendor_id", nullable=True), _ref("buyer_id"), sa.Column("order_date", sa.Date, nullable=False),
    _currency(), _money("total_amount"), _ref("warehouse_id"), sa.Column("promised_date", sa.Date, nullable=False),
    sa.Column("approval_level", sa.Integer, nullable=False), _money("approval_limit"),
    _ref("approved_by", nullable=True, required=False), _ts("approved_at"), _ts("acknowledged_at"),
    sa.Column("payment_terms_days", sa.Integer, nullable=False), _str("incoterm", 10),
    _str("status", 30, nullable=False),
)

purchase_order_lines = _table(
    "purchase_order_lines", "Purchase order lines; price_overridden_* is set when a user changed the offer price.",
    _pk("purchase_order_line_id"), _ref("purchase_order_id"), sa.Column("line_number", sa.Integer, nullable=False),
    _ref("material_id", nullable=True), _qty("quantity"), _str("uom", 20, nullable=False), _money("unit_price"),
    _currency(), _money("line_amount"), _ref("supplier_offer_id", nullable=True, required=False),
    sa.Column("promised_date", sa.Date, nullable=False), _ref("warehouse_id"),
    _ref("price_overridden_by", nullable=True, required=False), _ts("price_overridden_at"),
)

shipments = _table(
    "shipments",
    "Inbound shipments (advance shipping notices): shipped, promised and delivered, carrier, GPS tracker.",
    _pk("shipment_id"), _ref("purchase_order_id"), _ref("vendor_id"), _str("asn_number", 40),
    _ts("shipped_at", nullable=False), sa.Column("promised_date", sa.Date, nullable=False),
    _ts("expected_arrival_at"), _ts("delivered_at"), _str("carrier", 200), _str("transport_mode", 10, nullable=False),
    _str("tracking_device_id", 40), _str("origin_city", 60), sa.Column("origin_latitude", sa.Float),
    sa.Column("origin_longitude", sa.Float), _ref("destination_warehouse_id"), _str("status", 20, nullable=False),
)

goods_receipts = _table(
    "goods_receipts", "Goods receipts per purchase order line and shipment: when, how much, where.",
    _pk("goods_receipt_id"), _ref("purchase_order_id"), _ref("purchase_order_line_id", nullable=True),
    _ref("shipment_id", nullable=True, required=False), _ref("material_id"), _ref("warehouse_id"),
    _ts("received_at", nullable=False), sa.Column("received_date", sa.Date, nullable=False), _qty("quantity"),
    _str("uom", 20, nullable=False), _ref("received_by", nullable=True, required=False),
)

quality_inspections = _table(
    "quality_inspections", "Incoming inspections per goods receipt (AQL sampling): defects and pass/fail.",
    _pk("quality_inspection_id"), _ref("goods_receipt_id"), _ts("inspected_at", nullable=False),
    _ref("inspector_id", nullable=True, required=False), sa.Column("sample_size", sa.Integer, nullable=False),
    sa.Column("defects_found", sa.Integer, nullable=False), _str("result", 10, nullable=False),
    _str("defect_type", 60),
)

vendor_returns = _table(
    "vendor_returns", "Returns to vendors after failed inspections, with the credit expected.",
    _pk("vendor_return_id"), _ref("goods_receipt_id"), _ref("quality_inspection_id", nullable=True, required=False),
    _ref("vendor_id"), _ref("material_id"), _qty("quantity"), _str("uom", 20, nullable=False), _str("reason", 120),
    _money("credit_amount"), _currency(), _ts("returned_at", nullable=False), _ts("credited_at"),
    _str("status", 20, nullable=False),
)

ap_invoices = _table(
    "ap_invoices", "Accounts-payable invoices (VAT fapiao / foreign invoices) per shipment.",
    _pk("ap_invoice_id"), _str("invoice_number", 40, nullable=False), _ref("vendor_id"),
    _ref("purchase_order_id", nullable=True), _ref("shipment_id", nullable=True, required=False),
    sa.Column("invoice_date", sa.Date, nullable=False), _ts("received_at", nullable=False),
    sa.Column("due_date", sa.Date, nullable=False), _money("net_amount"), sa.Column("tax_rate", sa.Numeric(6, 4), nullable=False),
    _money("tax_amount"), _money("gross_amount"), _currency(), _ts("approved_at"),
    _ref("approved_by", nullable=True, required=False), _str("status", 20, nullable=False),
)

payments = _table(
    "payments", "Payments of invoices, with the bank account actually paid to.",
    _pk("payment_id"), _ref("ap_invoice_id"), _ref("vendor_id"), _ts("paid_at", nullable=False),
    sa.Column("payment_date", sa.Date, nullable=False), _money("amount"), _currency(), _str("bank_name", 120),
    _str("bank_account", 60), _str("payment_method", 30, nullable=False), _ref("paid_by", nullable=True, required=False),
)

fx_rates = _table(
    "fx_rates", "Daily reference rates: 1 unit of from_currency = rate units of to_currency (CNY).",
    _pk("fx_rate_id"), sa.Column("rate_date", sa.Date, nullable=False), _str("from_currency", 3, nullable=False),
    _str("to_currency", 3, nullable=False), sa.Column("rate", sa.Numeric(18, 8), nullable=False), _str("source", 60),
)

sales_orders = _table(
    "sales_orders", "Sales orders to CRM customers (dealers, key accounts, internal buying units).",
    _pk("sales_order_id"), _str("business_unit_code", 10, nullable=False), _ref("subsidiary_id"),
    _ref("customer_id"), sa.Column("order_date", sa.Date, nullable=False),
    sa.Column("requested_delivery_date", sa.Date, nullable=False), _currency(), _money("total_amount"),
    _ref("sales_rep_id", nullable=True, required=False), _ref("warehouse_id"), _ts("shipped_at"), _ts("delivered_at"),
    _str("status", 20, nullable=False),
)

sales_order_lines = _table(
    "sales_order_lines", "Sales order lines.",
    _pk("sales_order_line_id"), _ref("sales_order_id"), sa.Column("line_number", sa.Integer, nullable=False),
    _ref("material_id"), _qty("quantity"), _str("uom", 20, nullable=False), _money("unit_price"), _currency(),
    _money("line_amount"),
)


def required_columns(table: sa.Table) -> tuple[str, ...]:
    """Columns a row must have: ``NOT NULL`` ones and those marked ``info["required"]``."""
    return tuple(c.name for c in table.columns if not c.nullable or c.info.get("required"))


#: Table names in definition order (master data first, then transactions).
TABLE_NAMES: tuple[str, ...] = tuple(metadata.tables)
