{#-
    RFM per customer (dealer, key account or internal buying unit), per business unit and
    group-wide: recency, frequency and monetary value in the group currency, quintile scores
    within the scope, and a named segment (macros/rfm.sql). Published to
    <lake>/gold/customer_rfm.
-#}
with

scored as (

    select * from {{ ref('int_customers__rfm_scored') }}

),

customers as (

    select
        customer_id,
        customer_name,
        customer_type,
        tier
    from {{ ref('stg_crm__customers') }}

)

select
    cast(scored.scope || '|' || scored.customer_id as varchar) as customer_rfm_id,
    cast(scored.scope as varchar) as scope,
    cast(scored.scope_type as varchar) as scope_type,
    cast(scored.customer_id as varchar) as customer_id,
    cast(customers.customer_name as varchar) as customer_name,
    cast(customers.customer_type as varchar) as customer_type,
    cast(customers.tier as varchar) as customer_tier,
    cast(scored.as_of_date as date) as as_of_date,
    cast(scored.first_order_date as date) as first_order_date,
    cast(scored.last_order_date as date) as last_order_date,
    cast(scored.recency_days as integer) as recency_days,
    cast(scored.frequency as integer) as frequency,
    cast(scored.monetary_value as decimal(18, 4)) as monetary_value,
    cast(round(scored.monetary_value / scored.frequency, 4) as decimal(18, 4))
        as average_order_value,
    cast(scored.currency as varchar) as currency,
    cast(scored.r_score as integer) as r_score,
    cast(scored.f_score as integer) as f_score,
    cast(scored.m_score as integer) as m_score,
    cast(scored.fm_score as integer) as fm_score,
    cast(
        cast(scored.r_score as varchar)
        || cast(scored.f_score as varchar)
        || cast(scored.m_score as varchar)
        as varchar
    ) as rfm_cell,
    cast({{ rfm_segment('scored.r_score', 'scored.fm_score') }} as varchar) as segment,
    cast(scored.customers_in_scope as integer) as customers_in_scope

from scored
left join customers
    on scored.customer_id = customers.customer_id
