{#-
    Daily reference rates turned into validity windows: a published rate applies from its
    rate_date until the next published rate of the same currency (exclusive). A conversion
    joins on `valid_from_date <= business date < valid_to_date`, i.e. it uses the rate of
    the business date or, on days without a publication (weekends, holidays), the latest
    one before it. The group currency converts to itself at 1.
-#}
with

rates as (

    select
        from_currency,
        to_currency,
        rate_date,
        rate
    from {{ ref('stg_erp__fx_rates') }}
    where to_currency = '{{ var("group_currency") }}'

),

windowed as (

    select
        from_currency,
        to_currency,
        rate_date as valid_from_date,
        lead(rate_date) over (
            partition by from_currency, to_currency
            order by rate_date
        ) as valid_to_date,
        cast(rate as decimal(18, 8)) as rate
    from rates

),

identity as (

    select
        '{{ var("group_currency") }}' as from_currency,
        '{{ var("group_currency") }}' as to_currency,
        cast('1900-01-01' as date) as valid_from_date,
        cast(null as date) as valid_to_date,
        cast(1 as decimal(18, 8)) as rate

)

select
    from_currency || ':' || cast(valid_from_date as varchar) as fx_window_id,
    from_currency,
    to_currency,
    valid_from_date,
    valid_to_date,
    rate
from windowed

union all

select
    from_currency || ':' || cast(valid_from_date as varchar) as fx_window_id,
    from_currency,
    to_currency,
    valid_from_date,
    valid_to_date,
    rate
from identity
