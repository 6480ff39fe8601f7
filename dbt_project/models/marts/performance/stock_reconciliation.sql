{#-
    Stock reconciliation per WMS warehouse, SKU and snapshot period: the snapshot against
    the book (previous snapshot + net movements), RFID gate reads against the movements that
    pass a gate, ERP goods receipts against WMS purchase receipts. See
    int_warehouse_stock__reconciled for the rules; inventory_accuracy rolls it up per
    warehouse.
-#}
with

reconciled as (

    select * from {{ ref('int_warehouse_stock__reconciled') }}

),

warehouses as (

    select * from {{ ref('stg_erp__warehouses') }}

),

materials as (

    select * from {{ ref('stg_erp__materials') }}

)

select
    -- keys
    reconciled.stock_reconciliation_id,
    reconciled.warehouse_code,
    warehouses.warehouse_id,
    warehouses.business_unit_code,
    reconciled.sku,
    materials.material_id,
    materials.uom,
    reconciled.snapshot_date,
    reconciled.previous_snapshot_date,
    -- book vs snapshot
    cast(reconciled.opening_quantity as decimal(18, 4)) as opening_quantity,
    cast(reconciled.receipt_quantity as decimal(18, 4)) as receipt_quantity,
    cast(reconciled.issue_quantity as decimal(18, 4)) as issue_quantity,
    cast(reconciled.transfer_quantity as decimal(18, 4)) as transfer_quantity,
    cast(reconciled.adjustment_quantity as decimal(18, 4)) as adjustment_quantity,
    cast(reconciled.net_movement_quantity as decimal(18, 4)) as net_movement_quantity,
    cast(reconciled.movement_count as integer) as movement_count,
    cast(reconciled.book_quantity as decimal(18, 4)) as book_quantity,
    cast(reconciled.snapshot_quantity as decimal(18, 4)) as snapshot_quantity,
    cast(reconciled.stock_difference as decimal(18, 4)) as stock_difference,
    reconciled.is_stock_accurate,
    -- RFID gates vs movements
    reconciled.has_rfid,
    cast(reconciled.gate_movement_quantity as decimal(18, 4)) as gate_movement_quantity,
    cast(reconciled.rfid_in_quantity as decimal(18, 4)) as rfid_in_quantity,
    cast(reconciled.rfid_out_quantity as decimal(18, 4)) as rfid_out_quantity,
    cast(reconciled.rfid_net_quantity as decimal(18, 4)) as rfid_net_quantity,
    cast(reconciled.rfid_read_count as integer) as rfid_read_count,
    cast(reconciled.rfid_difference as decimal(18, 4)) as rfid_difference,
    reconciled.is_rfid_accurate,
    -- ERP goods receipts vs WMS purchase receipts
    cast(reconciled.erp_receipt_count as integer) as erp_receipt_count,
    cast(reconciled.erp_receipt_quantity as decimal(18, 4)) as erp_receipt_quantity,
    cast(reconciled.wms_purchase_receipt_quantity as decimal(18, 4)) as wms_purchase_receipt_quantity,
    cast(reconciled.receipt_difference as decimal(18, 4)) as receipt_difference,
    reconciled.is_receipt_matched
from reconciled
left join warehouses
    on reconciled.warehouse_code = warehouses.warehouse_code
left join materials
    on reconciled.sku = materials.sku
