{#-
    Procurement rows left out of the supplier-performance marts, with the reason: purchase
    order lines, goods receipts and vendor invoices that break a rule (see their
    intermediate models), and ERP vendor records with purchase orders but no golden
    supplier in the crosswalk (their activity cannot be attributed). Nothing is dropped
    silently: every excluded row is here.
-#}
with

order_lines as (

    select * from {{ ref('int_purchase_order_lines__delivered') }}
    where is_excluded

),

receipts as (

    select * from {{ ref('int_goods_receipts__inspected') }}
    where is_excluded

),

invoices as (

    select * from {{ ref('int_ap_invoices__matched') }}
    where is_excluded

),

crosswalk as (

    select vendor_id from {{ ref('int_erp_vendors__resolved') }}

),

unmapped_vendors as (

    select
        orders.vendor_id,
        count(*) as purchase_order_count
    from {{ ref('stg_erp__purchase_orders') }} as orders
    left join crosswalk
        on orders.vendor_id = crosswalk.vendor_id
    where orders.vendor_id is not null
        and crosswalk.vendor_id is null
    group by orders.vendor_id

),

stacked as (

    select
        'purchase_order_line' as record_type,
        purchase_order_line_id as record_id,
        vendor_id,
        exclusion_reason,
        'order ' || purchase_order_id as detail
    from order_lines

    union all

    select
        'goods_receipt',
        goods_receipt_id,
        vendor_id,
        exclusion_reason,
        'order line ' || coalesce(purchase_order_line_id, '(none)')
    from receipts

    union all

    select
        'ap_invoice',
        ap_invoice_id,
        vendor_id,
        exclusion_reason,
        'invoice ' || coalesce(invoice_number, '(none)')
    from invoices

    union all

    select
        'vendor',
        vendor_id,
        vendor_id,
        'vendor record not in the supplier crosswalk',
        cast(purchase_order_count as varchar) || ' purchase order(s) not attributed to a supplier'
    from unmapped_vendors

)

select
    record_type || ':' || record_id as exclusion_id,
    cast(record_type as varchar) as record_type,
    cast(record_id as varchar) as record_id,
    cast(vendor_id as varchar) as vendor_id,
    cast(exclusion_reason as varchar) as exclusion_reason,
    cast(detail as varchar) as detail
from stacked
