{#-
    RFM quintile scores within each scope: 1 + floor(5 x share of the scope's customers
    strictly worse), so ties share the lower score; recency scores the most recent highest.
    fm_score is the mean of F and M, halves rounded up (macros/rfm.sql).
-#}
with

summarised as (

    select * from {{ ref('int_customers__rfm_summarised') }}

),

ranked as (

    select
        *,
        rank() over (partition by scope order by recency_days desc) as recency_rank,
        rank() over (partition by scope order by frequency asc) as frequency_rank,
        rank() over (partition by scope order by monetary_value asc) as monetary_rank,
        count(*) over (partition by scope) as customers_in_scope
    from summarised

),

scored as (

    select
        scope,
        scope_type,
        customer_id,
        as_of_date,
        first_order_date,
        last_order_date,
        recency_days,
        frequency,
        monetary_value,
        currency,
        cast(customers_in_scope as integer) as customers_in_scope,
        {{ rfm_quintile('recency_rank', 'customers_in_scope') }} as r_score,
        {{ rfm_quintile('frequency_rank', 'customers_in_scope') }} as f_score,
        {{ rfm_quintile('monetary_rank', 'customers_in_scope') }} as m_score
    from ranked

)

select
    *,
    {{ rfm_fm_score('f_score', 'm_score') }} as fm_score
from scored
