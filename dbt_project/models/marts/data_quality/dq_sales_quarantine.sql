{#-
    Sales rows the governed layer quarantined, with the reason: left out of customer
    analytics, never silently dropped. Blocking check `sales_quarantine_accepted` on the
    customer marts fails when a row appears here that was not there at the last accepted
    run. Published to <lake>/gold/dq_sales_quarantine.
-#}
with

orders as (

    select * from {{ ref('int_sales_orders__screened') }}
    where is_quarantined

),

lines as (

    select * from {{ ref('int_sales_order_lines__screened') }}
    where is_quarantined

),

quarantined as (

    select
        'sales_order' as record_type,
        sales_order_id as record_id,
        sales_order_id,
        business_unit_code,
        quarantine_reason,
        'customer_id=' || coalesce(customer_id, 'NULL')
            || ', currency=' || currency
            || ', order_date=' || cast(order_date as varchar) as detail,
        bronze_batch_id,
        bronze_ingested_at
    from orders

    union all

    select
        'sales_order_line' as record_type,
        lines.sales_order_line_id as record_id,
        lines.sales_order_id,
        headers.business_unit_code,
        lines.quarantine_reason,
        'quantity=' || cast(lines.quantity as varchar)
            || ', unit_price=' || cast(lines.unit_price as varchar)
            || ', line_amount=' || cast(lines.line_amount as varchar) as detail,
        lines.bronze_batch_id,
        lines.bronze_ingested_at
    from lines
    left join {{ ref('stg_erp__sales_orders') }} as headers
        on lines.sales_order_id = headers.sales_order_id

)

select
    cast(record_type || ':' || record_id as varchar) as quarantine_record_id,
    cast(record_type as varchar) as record_type,
    cast(record_id as varchar) as record_id,
    cast(sales_order_id as varchar) as sales_order_id,
    cast(business_unit_code as varchar) as business_unit_code,
    cast(quarantine_reason as varchar) as quarantine_reason,
    cast(detail as varchar) as detail,
    cast(bronze_batch_id as varchar) as bronze_batch_id,
    cast(bronze_ingested_at as timestamptz) as bronze_ingested_at
from quarantined
