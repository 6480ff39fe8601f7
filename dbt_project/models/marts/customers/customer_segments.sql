{#-
    The customer segments decision snapshot: one row per customer per business unit, its RFM
    segment and lifetime value, handed to the transactional service through the inbound
    door (kind customer_segments: orchestration/decisions/benefits.py). Unit scope only:
    benefit policies are set per business unit. Published to <lake>/gold/customer_segments.
-#}
with

rfm as (

    select * from {{ ref('customer_rfm') }}
    where scope_type = 'business_unit'

),

ltv as (

    select
        scope,
        customer_id,
        clv,
        p_alive
    from {{ ref('customer_ltv') }}
    where scope_type = 'business_unit'

)

select
    cast(rfm.scope || '|' || rfm.customer_id as varchar) as customer_segment_id,
    cast(rfm.scope as varchar) as business_unit,
    cast(rfm.customer_id as varchar) as customer_id,
    cast(rfm.customer_name as varchar) as customer_name,
    cast(rfm.customer_type as varchar) as customer_type,
    cast(rfm.segment as varchar) as segment,
    cast(rfm.rfm_cell as varchar) as rfm_cell,
    cast(rfm.monetary_value as decimal(18, 4)) as monetary_value,
    cast(ltv.clv as decimal(18, 4)) as clv,
    cast(ltv.p_alive as double) as p_alive,
    cast(rfm.currency as varchar) as currency,
    cast(rfm.as_of_date as date) as as_of_date

from rfm
left join ltv
    on rfm.scope = ltv.scope
    and rfm.customer_id = ltv.customer_id
