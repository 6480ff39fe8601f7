{#-
    Buyers' ratings per golden supplier and month: how many and the sum of each score, for the scorecard window (int_supplier_scorecards__metrics).
    A rating counts in the month of its delivery, except that a rating of a delivery after
    the latest complete month counts in that month: buyers rate days after delivery, and the
    current scorecard should hear them on the next run instead of a month later (when that
    month is complete the rating moves to its own month, as every scorecard is recomputed).
-#}
with

ratings as (

    select * from {{ ref('int_order_ratings__current') }}
    where supplier_key is not null

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

placed as (

    select
        ratings.*,
        least(ratings.rating_month, parameters.latest_complete_month) as activity_month
    from ratings
    cross join parameters

)

select
    supplier_key || ':' || strftime(activity_month, '%Y-%m') as supplier_month_id,
    supplier_key,
    cast(activity_month as date) as activity_month,
    cast(count(*) as integer) as rating_count,
    cast(sum(delivery_score) as bigint) as delivery_rating_sum,
    cast(sum(quality_score) as bigint) as quality_rating_sum,
    cast(sum(service_score) as bigint) as service_rating_sum
from placed
group by supplier_key, activity_month
