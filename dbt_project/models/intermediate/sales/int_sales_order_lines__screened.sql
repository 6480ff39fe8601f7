{#-
    Every sales order line with the business rule it breaks, if any. Lines that break a
    rule are quarantined: kept here and listed in dq_sales_quarantine with the reason,
    left out of every amount downstream. First broken rule wins.
-#}
with

lines as (

    select * from {{ ref('stg_erp__sales_order_lines') }}

),

orders as (

    select sales_order_id from {{ ref('stg_erp__sales_orders') }}

),

screened as (

    select
        lines.sales_order_line_id,
        lines.sales_order_id,
        lines.line_number,
        lines.material_id,
        lines.quantity,
        lines.uom,
        lines.unit_price,
        lines.currency,
        lines.line_amount,
        lines.bronze_batch_id,
        lines.bronze_ingested_at,
        case
            when orders.sales_order_id is null then 'order header not found'
            when lines.quantity < 0 then 'negative quantity'
            when lines.unit_price < 0 then 'negative unit price'
            when lines.line_amount < 0 then 'negative line amount'
            when not {{ within_tolerance(
                'lines.line_amount - lines.quantity * lines.unit_price',
                'abs(lines.line_amount)',
                var('line_amount_tolerance_abs'),
                var('line_amount_tolerance_rel')
            ) }}
                then 'line amount differs from quantity x unit price'
        end as quarantine_reason

    from lines
    left join orders
        on lines.sales_order_id = orders.sales_order_id

)

select
    *,
    quarantine_reason is not null as is_quarantined
from screened
