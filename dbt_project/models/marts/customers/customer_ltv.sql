{#-
    Customer lifetime value (BG/NBD x Gamma-Gamma, fitted in int_customers__ltv_scored) per
    customer, group-wide and per business unit large enough for its own fit: probability
    alive, expected purchases and discounted CLV over the horizon, in the group currency.
    Published to <lake>/gold/customer_ltv.
-#}
with

scored as (

    select * from {{ ref('int_customers__ltv_scored') }}

),

customers as (

    select
        customer_id,
        customer_name,
        customer_type
    from {{ ref('stg_crm__customers') }}

)

select
    cast(scored.scope || '|' || scored.customer_id as varchar) as customer_ltv_id,
    cast(scored.scope as varchar) as scope,
    cast(scored.scope_type as varchar) as scope_type,
    cast(scored.customer_id as varchar) as customer_id,
    cast(customers.customer_name as varchar) as customer_name,
    cast(customers.customer_type as varchar) as customer_type,
    cast(scored.as_of_date as date) as as_of_date,
    cast(scored.fitted_on as varchar) as fitted_on,
    cast(scored.frequency as integer) as repeat_purchase_days,
    cast(scored.recency as integer) as repeat_recency_days,
    cast(scored."T" as integer) as customer_age_days,
    cast(round(scored.monetary_value, 4) as decimal(18, 4)) as average_repeat_spend,
    cast(scored.p_alive as double) as p_alive,
    cast(scored.expected_purchases as double) as expected_purchases,
    cast(round(scored.expected_avg_spend, 4) as decimal(18, 4)) as expected_avg_spend,
    cast(round(scored.clv, 4) as decimal(18, 4)) as clv,
    cast('{{ var("group_currency") }}' as varchar) as currency,
    cast(scored.horizon_months as integer) as horizon_months,
    cast(scored.discount_rate_monthly as double) as discount_rate_monthly,
    cast(scored.model as varchar) as model,
    cast(scored.bgnbd_converged as boolean) as bgnbd_converged,
    cast(scored.gamma_gamma_converged as boolean) as gamma_gamma_converged,
    cast(scored.fallback_used as boolean) as fallback_used,
    cast(scored.fallback_reason as varchar) as fallback_reason,
    cast(scored.n_customers as integer) as customers_in_fit,
    cast(scored.model_params as varchar) as model_params

from scored
left join customers
    on scored.customer_id = customers.customer_id
