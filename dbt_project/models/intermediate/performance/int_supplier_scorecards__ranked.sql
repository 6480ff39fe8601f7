{#-
    Scores, ranks and the elimination list per ranked supplier-month:
    - group score (quality, delivery, price, service) = sum(effective_weight x metric_score)
      / sum(effective_weight) over the group's scored metrics; overall_score = sum(group
      weight x group score) / sum(group weight) over the groups with a score (a metric or
      group without evidence is left out, the others reweighted);
    - ranks (1 = best) by overall_score (rounded to the published 2 decimals) among the month's ranked suppliers: group-wide,
      within the main category, within the main business unit;
    - is_bottom_decile: the round(bottom_share x ranked suppliers) lowest overall scores of
      the month, group-wide (ties: lower spend first, then supplier_key). Scores are
      already percentiles within the category, so this is the bottom share of every
      category at once while the list keeps exactly its share;
    - bottom_decile_reasons: the reason_count metrics with the largest weighted shortfall
      below the peer median (effective_weight x (50 - metric_score), scores below 50 only).
-#}
with

scores as (

    select * from {{ ref('int_supplier_scorecards__scored') }}

),

metrics as (

    select * from {{ ref('int_supplier_scorecards__metrics') }}
    where is_ranked

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

group_scores as (

    select
        supplier_scorecard_id,
        metric_group,
        max(group_weight) as group_weight,
        sum(effective_weight * metric_score) / sum(effective_weight) as group_score
    from scores
    group by supplier_scorecard_id, metric_group

),

overall as (

    select
        supplier_scorecard_id,
        max(group_score) filter (where metric_group = 'quality') as quality_score,
        max(group_score) filter (where metric_group = 'delivery') as delivery_score,
        max(group_score) filter (where metric_group = 'price') as price_score,
        max(group_score) filter (where metric_group = 'service') as service_score,
        -- rounded here, not only in the mart: ranks and the list are taken on the published
        -- score, so two suppliers shown with the same score share a rank, and float
        -- summation order (thread count) cannot reorder near-ties
        round(sum(group_weight * group_score) / sum(group_weight), 2) as overall_score
    from group_scores
    group by supplier_scorecard_id

),

shortfalls as (

    select
        scores.supplier_scorecard_id,
        scores.metric,
        scores.metric_value,
        scores.peer_median_value,
        scores.metric_score,
        {{ format_figure('scores.metric_value') }} as formatted_value,
        {{ format_figure('scores.peer_median_value') }} as formatted_median,
        scores.effective_weight * (50 - scores.metric_score) as weighted_shortfall
    from scores
    cross join parameters
    where scores.metric_score < 50
    qualify row_number() over (
        partition by scores.supplier_scorecard_id
        order by scores.effective_weight * (50 - scores.metric_score) desc, scores.metric
    ) <= parameters.reason_count

),

reasons as (

    select
        supplier_scorecard_id,
        string_agg(
            metric || ' ' || formatted_value || ' vs peer median ' || formatted_median
                || ' (score ' || printf('%.0f', metric_score) || ')',
            '; ' order by weighted_shortfall desc, metric
        ) as weakest_metrics
    from shortfalls
    group by supplier_scorecard_id

),

joined as (

    select
        metrics.supplier_scorecard_id,
        metrics.supplier_key,
        metrics.scorecard_month,
        metrics.main_category_id,
        metrics.main_business_unit_code,
        metrics.spend_group,
        overall.quality_score,
        overall.delivery_score,
        overall.price_score,
        overall.service_score,
        overall.overall_score,
        reasons.weakest_metrics,
        parameters.bottom_share
    from metrics
    cross join parameters
    left join overall
        on metrics.supplier_scorecard_id = overall.supplier_scorecard_id
    left join reasons
        on metrics.supplier_scorecard_id = reasons.supplier_scorecard_id

),

ranked as (

    select
        *,
        count(*) over (partition by scorecard_month) as ranked_supplier_count,
        rank() over (partition by scorecard_month order by overall_score desc) as group_rank,
        rank() over (partition by scorecard_month, main_category_id order by overall_score desc)
            as category_rank,
        count(*) over (partition by scorecard_month, main_category_id) as category_ranked_count,
        rank() over (partition by scorecard_month, main_business_unit_code order by overall_score desc)
            as business_unit_rank,
        count(*) over (partition by scorecard_month, main_business_unit_code) as business_unit_ranked_count,
        row_number() over (
            partition by scorecard_month order by overall_score asc, spend_group asc, supplier_key
        ) as position_from_bottom
    from joined

)

select
    supplier_scorecard_id,
    supplier_key,
    scorecard_month,
    quality_score,
    delivery_score,
    price_score,
    service_score,
    overall_score,
    cast(ranked_supplier_count as integer) as ranked_supplier_count,
    cast(group_rank as integer) as group_rank,
    cast(category_rank as integer) as category_rank,
    cast(category_ranked_count as integer) as category_ranked_count,
    cast(business_unit_rank as integer) as business_unit_rank,
    cast(business_unit_ranked_count as integer) as business_unit_ranked_count,
    position_from_bottom <= round(bottom_share * ranked_supplier_count) as is_bottom_decile,
    weakest_metrics
from ranked
