{#-
    Every golden supplier's building blocks summed over the trailing window of
    window_months months ending at each scorecard month (the month itself included), for
    every complete month up to latest_complete_month in which the supplier had any activity
    inside its window. Also: the months with orders in the window, the business units it
    served, its main category and main business unit (largest spend in the window; ties to
    the smallest id) and the group's spend in the same window.
-#}
with

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

supplier_months as (

    select * from {{ ref('int_supplier_months__performance') }}

),

category_spend as (

    select * from {{ ref('int_supplier_months__category_spend') }}

),

calendar as (

    select
        cast(scorecard_month as date) as scorecard_month,
        cast(scorecard_month - to_months(parameters.window_months - 1) as date) as window_start_month
    from parameters
    cross join generate_series(
        (select cast(min(activity_month) as timestamp) from supplier_months),
        cast(parameters.latest_complete_month as timestamp),
        interval 1 month
    ) as months(scorecard_month)

),

windowed as (

    select
        calendar.scorecard_month,
        calendar.window_start_month,
        supplier_months.supplier_key,
        count(*) filter (where supplier_months.po_count > 0) as active_months,
        sum(columns(supplier_months.* exclude (
            supplier_month_id, supplier_key, activity_month, vendor_record_count
        )))
    from calendar
    inner join supplier_months
        on supplier_months.activity_month between calendar.window_start_month and calendar.scorecard_month
    group by calendar.scorecard_month, calendar.window_start_month, supplier_months.supplier_key

),

window_spend as (

    select
        calendar.scorecard_month,
        category_spend.supplier_key,
        category_spend.business_unit_code,
        category_spend.category_id,
        category_spend.spend_group
    from calendar
    inner join category_spend
        on category_spend.order_month between calendar.window_start_month and calendar.scorecard_month

),

category_totals as (

    select
        scorecard_month,
        supplier_key,
        category_id,
        sum(spend_group) as spend_group
    from window_spend
    group by scorecard_month, supplier_key, category_id

),

main_categories as (

    select
        scorecard_month,
        supplier_key,
        category_id as main_category_id
    from category_totals
    qualify row_number() over (
        partition by scorecard_month, supplier_key order by spend_group desc, category_id
    ) = 1

),

unit_totals as (

    select
        scorecard_month,
        supplier_key,
        business_unit_code,
        sum(spend_group) as spend_group
    from window_spend
    group by scorecard_month, supplier_key, business_unit_code

),

main_units as (

    select
        scorecard_month,
        supplier_key,
        business_unit_code as main_business_unit_code,
        count(*) over (partition by scorecard_month, supplier_key) as business_units_served
    from unit_totals
    qualify row_number() over (
        partition by scorecard_month, supplier_key order by spend_group desc, business_unit_code
    ) = 1

)

select
    windowed.supplier_key || ':' || strftime(windowed.scorecard_month, '%Y-%m') as supplier_scorecard_id,
    windowed.*,
    main_categories.main_category_id,
    main_units.main_business_unit_code,
    coalesce(main_units.business_units_served, 0) as business_units_served,
    sum(windowed.spend_group) over (partition by windowed.scorecard_month) as group_spend_group
from windowed
left join main_categories
    on windowed.scorecard_month = main_categories.scorecard_month
    and windowed.supplier_key = main_categories.supplier_key
left join main_units
    on windowed.scorecard_month = main_units.scorecard_month
    and windowed.supplier_key = main_units.supplier_key
