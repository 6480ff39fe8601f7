{#-
    Customer purchases in the group currency: one row per valid, not cancelled sales order
    that has at least one valid line. The amount is the sum of its valid lines converted at
    the order date's rate (explicit and dated: fx_rate, fx_rate_date).
-#}
with

orders as (

    select * from {{ ref('int_sales_orders__screened') }}
    where not is_quarantined
        and status != 'cancelled'

),

lines as (

    select * from {{ ref('int_sales_order_lines__screened') }}
    where not is_quarantined

),

order_lines as (

    select
        sales_order_id,
        count(*) as line_count,
        sum(line_amount) as order_amount
    from lines
    group by sales_order_id

),

converted as (

    select
        orders.sales_order_id,
        orders.customer_id,
        orders.business_unit_code,
        orders.order_date,
        orders.currency,
        cast(order_lines.order_amount as decimal(18, 4)) as order_amount,
        orders.fx_rate,
        orders.fx_rate_date,
        cast(round(order_lines.order_amount * orders.fx_rate, 4) as decimal(18, 4))
            as order_amount_group,
        '{{ var("group_currency") }}' as group_currency,
        order_lines.line_count

    from orders
    inner join order_lines
        on orders.sales_order_id = order_lines.sales_order_id

)

select * from converted
