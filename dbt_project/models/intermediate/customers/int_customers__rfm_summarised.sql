{#-
    Recency, frequency and monetary value per customer, per business unit and group-wide
    (scope = business unit code, or GROUP). The reference day is var as_of_date, or the last
    order day in the data when empty (never now(): the result is reproducible).
-#}
with

orders as (

    select * from {{ ref('int_sales_orders__converted') }}

),

as_of as (

    select
        {% if var('as_of_date') %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {% else %}
        max(order_date) as as_of_date
        {% endif %}
    from orders

),

scoped as (

    select
        business_unit_code as scope,
        'business_unit' as scope_type,
        customer_id,
        sales_order_id,
        order_date,
        order_amount_group,
        group_currency
    from orders

    union all

    select
        'GROUP' as scope,
        'group' as scope_type,
        customer_id,
        sales_order_id,
        order_date,
        order_amount_group,
        group_currency
    from orders

),

summarised as (

    select
        scoped.scope,
        scoped.scope_type,
        scoped.customer_id,
        as_of.as_of_date,
        min(scoped.order_date) as first_order_date,
        max(scoped.order_date) as last_order_date,
        cast(date_diff('day', max(scoped.order_date), as_of.as_of_date) as integer) as recency_days,
        cast(count(distinct scoped.sales_order_id) as integer) as frequency,
        cast(sum(scoped.order_amount_group) as decimal(18, 4)) as monetary_value,
        any_value(scoped.group_currency) as currency

    from scoped
    cross join as_of
    where scoped.order_date <= as_of.as_of_date
    group by scoped.scope, scoped.scope_type, scoped.customer_id, as_of.as_of_date

)

select * from summarised
