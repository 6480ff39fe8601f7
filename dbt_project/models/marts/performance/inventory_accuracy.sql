{#-
    Inventory accuracy per WMS warehouse and snapshot period, the figure group operations
    track: the share of the warehouse's SKU lines whose snapshot matches the book within
    tolerance (stock_reconciliation.is_stock_accurate), with the RFID gate accuracy
    (warehouses with gates) and the ERP-vs-WMS receipt match rate and totals.
-#}
with

reconciled as (

    select * from {{ ref('int_warehouse_stock__reconciled') }}

),

warehouses as (

    select * from {{ ref('stg_erp__warehouses') }}

),

by_warehouse as (

    select
        warehouse_code,
        snapshot_date,
        min(previous_snapshot_date) as previous_snapshot_date,
        bool_or(has_rfid) as has_rfid,
        count(*) as sku_line_count,
        count(*) filter (where is_stock_accurate) as accurate_sku_line_count,
        sum(abs(stock_difference)) as absolute_stock_difference,
        count(*) filter (where has_rfid and (rfid_read_count > 0 or gate_movement_quantity != 0))
            as rfid_sku_line_count,
        count(*) filter (where has_rfid and (rfid_read_count > 0 or gate_movement_quantity != 0) and is_rfid_accurate)
            as rfid_accurate_sku_line_count,
        count(*) filter (where erp_receipt_count > 0 or wms_purchase_receipt_quantity != 0)
            as receipt_sku_line_count,
        count(*) filter (where (erp_receipt_count > 0 or wms_purchase_receipt_quantity != 0) and is_receipt_matched)
            as matched_receipt_sku_line_count,
        sum(erp_receipt_quantity) as erp_receipt_quantity,
        sum(wms_purchase_receipt_quantity) as wms_purchase_receipt_quantity
    from reconciled
    group by warehouse_code, snapshot_date

)

select
    by_warehouse.warehouse_code || ':' || cast(by_warehouse.snapshot_date as varchar) as inventory_accuracy_id,
    by_warehouse.warehouse_code,
    warehouses.warehouse_id,
    warehouses.warehouse_name,
    warehouses.business_unit_code,
    by_warehouse.snapshot_date,
    by_warehouse.previous_snapshot_date,
    cast(by_warehouse.sku_line_count as integer) as sku_line_count,
    cast(by_warehouse.accurate_sku_line_count as integer) as accurate_sku_line_count,
    cast(by_warehouse.accurate_sku_line_count / by_warehouse.sku_line_count as double) as inventory_accuracy_rate,
    cast(by_warehouse.absolute_stock_difference as decimal(18, 4)) as absolute_stock_difference,
    by_warehouse.has_rfid,
    cast(by_warehouse.rfid_sku_line_count as integer) as rfid_sku_line_count,
    {{ safe_ratio('by_warehouse.rfid_accurate_sku_line_count', 'by_warehouse.rfid_sku_line_count') }}
        as rfid_accuracy_rate,
    cast(by_warehouse.receipt_sku_line_count as integer) as receipt_sku_line_count,
    {{ safe_ratio('by_warehouse.matched_receipt_sku_line_count', 'by_warehouse.receipt_sku_line_count') }}
        as receipt_match_rate,
    cast(by_warehouse.erp_receipt_quantity as decimal(18, 4)) as erp_receipt_quantity,
    cast(by_warehouse.wms_purchase_receipt_quantity as decimal(18, 4)) as wms_purchase_receipt_quantity
from by_warehouse
left join warehouses
    on by_warehouse.warehouse_code = warehouses.warehouse_code
