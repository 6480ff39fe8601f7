{#-
    Every ERP goods receipt with what procurement judges it by: the order line it delivers
    (promised date, price), its value in the group currency at the received date's rate,
    its incoming inspection and any return to the vendor. A receipt that breaks a rule is
    kept with its exclusion_reason (listed in dq_procurement_exclusions) and left out of
    every metric; first broken rule wins.
-#}
with

receipts as (

    select * from {{ ref('stg_erp__goods_receipts') }}

),

order_lines as (

    select * from {{ ref('stg_erp__purchase_order_lines') }}

),

orders as (

    select * from {{ ref('stg_erp__purchase_orders') }}

),

inspections as (

    select
        goods_receipt_id,
        count(*) as inspection_count,
        count(*) filter (where inspection_result = 'pass') as inspections_passed,
        sum(sample_size) as inspected_units,
        sum(defects_found) as defective_units
    from {{ ref('stg_erp__quality_inspections') }}
    group by goods_receipt_id

),

vendor_returns as (

    select
        goods_receipt_id,
        count(*) as return_count
    from {{ ref('stg_erp__vendor_returns') }}
    group by goods_receipt_id

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

joined as (

    select
        receipts.goods_receipt_id,
        receipts.purchase_order_line_id,
        receipts.purchase_order_id,
        receipts.shipment_id,
        orders.vendor_id,
        orders.business_unit_code,
        receipts.material_id,
        receipts.warehouse_id,
        receipts.received_at,
        receipts.received_date,
        cast(date_trunc('month', receipts.received_date) as date) as received_month,
        receipts.quantity,
        receipts.uom,
        order_lines.unit_price,
        order_lines.currency,
        order_lines.promised_date,
        orders.order_date,
        fx_windows.rate as fx_rate,
        fx_windows.valid_from_date as fx_rate_date,
        {{ to_group_currency('receipts.quantity', 'fx_windows.rate', unit_price='order_lines.unit_price') }}
            as received_value_group,
        receipts.received_date <= order_lines.promised_date as is_on_time,
        coalesce(inspections.inspection_count, 0) as inspection_count,
        coalesce(inspections.inspections_passed, 0) as inspections_passed,
        coalesce(inspections.inspected_units, 0) as inspected_units,
        coalesce(inspections.defective_units, 0) as defective_units,
        coalesce(vendor_returns.return_count, 0) as return_count,
        case
            when order_lines.purchase_order_line_id is null then 'purchase order line not found'
            when orders.purchase_order_id is null then 'purchase order not found'
            when orders.vendor_id is null then 'purchase order without vendor'
            when receipts.quantity is null or receipts.quantity <= 0 then 'non-positive quantity'
            when least(receipts.received_date, cast(timezone(parameters.business_timezone, receipts.received_at) as date))
                < orders.order_date then 'received before the order date'
            when fx_windows.rate is null then 'no exchange rate on or before the received date'
        end as exclusion_reason

    from receipts
    cross join parameters
    left join order_lines
        on receipts.purchase_order_line_id = order_lines.purchase_order_line_id
    left join orders
        on order_lines.purchase_order_id = orders.purchase_order_id
    left join inspections
        on receipts.goods_receipt_id = inspections.goods_receipt_id
    left join vendor_returns
        on receipts.goods_receipt_id = vendor_returns.goods_receipt_id
    left join fx_windows
        on {{ fx_rate_in_force('order_lines.currency', 'receipts.received_date') }}

)

select
    *,
    exclusion_reason is not null as is_excluded
from joined
