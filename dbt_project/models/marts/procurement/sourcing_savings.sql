{#-
    Sourcing savings per business unit and SKU category: what the approved awards of the
    unit's sourcing events cost against two baselines (int_sourcing_award_lines__baselined):
    the unit's last price paid for the SKU and the SKU's group median, both from platform
    purchases before the event. Each saving compares only the awarded lines that have that
    baseline (award_value_vs_*: the award on those lines; baseline_*_value: the baseline
    price x the awarded quantity); positive = the award is cheaper. Free-text lines and
    SKUs without a known category are in category 'uncategorised'.
-#}
with

award_lines as (

    select * from {{ ref('int_sourcing_award_lines__baselined') }}

),

valued as (

    select
        business_unit_code,
        coalesce(category_code, 'uncategorised') as category_code,
        event_id,
        awarded_at,
        awarded_quantity,
        awarded_quantity * awarded_unit_price_group as award_value,
        case when last_price_paid_group is not null
            then awarded_quantity * awarded_unit_price_group end as award_value_vs_last,
        awarded_quantity * last_price_paid_group as baseline_last_value,
        case when median_price_paid_group is not null
            then awarded_quantity * awarded_unit_price_group end as award_value_vs_median,
        awarded_quantity * median_price_paid_group as baseline_median_value,
        group_currency
    from award_lines

),

summed as (

    select
        business_unit_code,
        category_code,
        count(distinct event_id) as event_count,
        count(*) as awarded_line_count,
        sum(awarded_quantity) as awarded_quantity,
        sum(award_value) as award_value,
        count(award_value_vs_last) as lines_with_last_price,
        sum(award_value_vs_last) as award_value_vs_last,
        sum(baseline_last_value) as baseline_last_value,
        count(award_value_vs_median) as lines_with_median_price,
        sum(award_value_vs_median) as award_value_vs_median,
        sum(baseline_median_value) as baseline_median_value,
        max(awarded_at) as last_awarded_at,
        any_value(group_currency) as group_currency
    from valued
    group by 1, 2

)

select
    -- keys
    business_unit_code || ':' || category_code as sourcing_savings_id,
    cast(business_unit_code as varchar) as business_unit_code,
    cast(category_code as varchar) as category_code,
    -- data
    cast(event_count as bigint) as event_count,
    cast(awarded_line_count as bigint) as awarded_line_count,
    cast(awarded_quantity as decimal(18, 4)) as awarded_quantity,
    cast(round(award_value, 4) as decimal(18, 4)) as award_value_group,
    cast(lines_with_last_price as bigint) as lines_with_last_price,
    cast(round(award_value_vs_last, 4) as decimal(18, 4)) as award_value_vs_last_group,
    cast(round(baseline_last_value, 4) as decimal(18, 4)) as baseline_last_value_group,
    cast(round(baseline_last_value - award_value_vs_last, 4) as decimal(18, 4)) as savings_vs_last_group,
    round(100 * {{ safe_ratio('(baseline_last_value - award_value_vs_last)', 'baseline_last_value') }}, 4)
        as savings_vs_last_pct,
    cast(lines_with_median_price as bigint) as lines_with_median_price,
    cast(round(award_value_vs_median, 4) as decimal(18, 4)) as award_value_vs_median_group,
    cast(round(baseline_median_value, 4) as decimal(18, 4)) as baseline_median_value_group,
    cast(round(baseline_median_value - award_value_vs_median, 4) as decimal(18, 4)) as savings_vs_median_group,
    round(100 * {{ safe_ratio('(baseline_median_value - award_value_vs_median)', 'baseline_median_value') }}, 4)
        as savings_vs_median_pct,
    cast(last_awarded_at as timestamptz) as last_awarded_at,
    cast(group_currency as varchar) as group_currency
from summed
