{#-
    Every sales order with the group-currency rate of its order date and the business rule
    it breaks, if any (unknown customer, no rate). Orders that break a rule are quarantined:
    kept here, listed in dq_sales_quarantine with the reason, left out of customer analytics.
    The rate is the one published on the order date or, failing that, the latest before it.
-#}
with

orders as (

    select * from {{ ref('stg_erp__sales_orders') }}

),

customers as (

    select customer_id from {{ ref('stg_crm__customers') }}

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

screened as (

    select
        orders.sales_order_id,
        orders.business_unit_code,
        orders.customer_id,
        orders.order_date,
        orders.currency,
        orders.total_amount,
        orders.status,
        fx_windows.rate as fx_rate,
        fx_windows.valid_from_date as fx_rate_date,
        orders.bronze_batch_id,
        orders.bronze_ingested_at,
        case
            when orders.customer_id is null then 'customer id missing'
            when customers.customer_id is null then 'unknown customer'
            when fx_windows.rate is null then 'no exchange rate on or before the order date'
        end as quarantine_reason

    from orders
    left join customers
        on orders.customer_id = customers.customer_id
    left join fx_windows
        on {{ fx_rate_in_force('orders.currency', 'orders.order_date') }}

)

select
    *,
    quarantine_reason is not null as is_quarantined
from screened
