"""The forecasts' inputs from the lake: order lines, first receipts, shipments, stock.

Every read is a DuckDB query over relation names (:class:`ForecastSources`), so the same code
runs over the lake's bronze views, a demo ERP copied into DuckDB (the benchmark), or tiny
tables a test creates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class ForecastSources:
    """Relation names the forecasts read (SQL identifiers, possibly schema-qualified)."""

    purchase_orders: str = "bronze.erp__purchase_orders"
    purchase_order_lines: str = "bronze.erp__purchase_order_lines"
    materials: str = "bronze.erp__materials"
    goods_receipts: str = "bronze.erp__goods_receipts"
    shipments: str = "bronze.erp__shipments"
    vendors: str = "bronze.erp__vendors"
    warehouses: str = "bronze.erp__warehouses"
    stock_snapshots: str = "bronze.wms__stock_snapshots"


#: ERP entities read (bronze tables ``bronze.erp__<entity>``), for the assets' dependencies.
ERP_ENTITIES = ("purchase_orders", "purchase_order_lines", "materials", "goods_receipts", "shipments",
                "vendors", "warehouses")


def exists(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    """Whether ``relation`` can be read on ``con``."""
    import duckdb

    try:
        con.execute(f"select 1 from {relation} limit 0")
    except duckdb.Error:
        return False
    return True


def order_lines(con: duckdb.DuckDBPyConnection, sources: ForecastSources | None = None) -> pd.DataFrame:
    """Purchase-order lines of orders not cancelled, with the first receipt of each line.

    Columns: ``purchase_order_line_id, purchase_order_id, business_unit_code, vendor_id,
    vendor_uscc, material_id, sku, category_id, order_date, promised_date, quantity,
    unit_price, status, first_received_date`` (null when nothing was received yet).
    """
    s = sources or ForecastSources()
    return con.sql(f"""
with first_receipt as (
    select purchase_order_line_id, min(cast(received_date as date)) as first_received_date
    from {s.goods_receipts}
    where purchase_order_line_id is not null
    group by purchase_order_line_id
)
select l.purchase_order_line_id, l.purchase_order_id, po.business_unit_code, po.vendor_id,
       nullif(trim(v.uscc), '') as vendor_uscc, l.material_id, m.sku, m.category_id,
       cast(po.order_date as date) as order_date,
       cast(coalesce(l.promised_date, po.promised_date) as date) as promised_date,
       cast(l.quantity as double) as quantity, cast(l.unit_price as double) as unit_price,
       po.status, r.first_received_date
from {s.purchase_order_lines} l
join {s.purchase_orders} po on po.purchase_order_id = l.purchase_order_id
join {s.materials} m on m.material_id = l.material_id
left join {s.vendors} v on v.vendor_id = po.vendor_id
left join first_receipt r on r.purchase_order_line_id = l.purchase_order_line_id
where coalesce(po.status, '') <> 'cancelled' and l.quantity > 0 and po.vendor_id is not null
order by l.purchase_order_line_id
""").df()


def shipments(con: duckdb.DuckDBPyConnection, sources: ForecastSources | None = None) -> pd.DataFrame:
    """Shipments (ASNs) with their telemetry: ``purchase_order_id, vendor_id, shipped_date,
    transport_mode, gps_tracked, eta_slip_days`` (delivered − expected arrival, days; null
    while in transit)."""
    s = sources or ForecastSources()
    return con.sql(f"""
select purchase_order_id, vendor_id, cast(shipped_at as date) as shipped_date, transport_mode,
       tracking_device_id is not null as gps_tracked,
       date_diff('second', cast(expected_arrival_at as timestamp), cast(delivered_at as timestamp)) / 86400.0
           as eta_slip_days
from {s.shipments}
""").df()


def stock_on_hand(con: duckdb.DuckDBPyConnection, sources: ForecastSources | None = None) -> pd.DataFrame:
    """Stock per business unit x SKU at each WMS warehouse's latest snapshot:
    ``business_unit_code, sku, stock_on_hand, stock_date``. Empty without WMS data."""
    s = sources or ForecastSources()
    if not (exists(con, s.stock_snapshots) and exists(con, s.warehouses)):
        return pd.DataFrame({"business_unit_code": pd.Series(dtype=object), "sku": pd.Series(dtype=object),
                             "stock_on_hand": pd.Series(dtype=float), "stock_date": pd.Series(dtype="datetime64[ns]")})
    return con.sql(f"""
with latest as (
    select warehouse_code, max(cast(snapshot_date as date)) as stock_date
    from {s.stock_snapshots} group by warehouse_code
)
select w.business_unit_code, st.sku, sum(cast(st.quantity_on_hand as double)) as stock_on_hand,
       max(latest.stock_date) as stock_date
from {s.stock_snapshots} st
join latest on latest.warehouse_code = st.warehouse_code and cast(st.snapshot_date as date) = latest.stock_date
join {s.warehouses} w on w.warehouse_code = st.warehouse_code
group by w.business_unit_code, st.sku
order by 1, 2
""").df()
