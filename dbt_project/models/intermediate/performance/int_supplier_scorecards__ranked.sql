{#-
    Scores, ranks and the elimination list per ranked supplier-month:
    - group score (quality, delivery, price, service) = sum(effective_weight x metric_score)
      / sum(effective_weight) over the group's scored metrics; the weighted mean = sum(group
      weight x group score) / sum(group weight) over the groups with a score (a metric or
      group without evidence is left out, the others reweighted); overall_score = the
      lowest of the weighted mean and the knockout groups' scores (var
      scorecard_knockout_groups, default quality and delivery): a supplier chronically
      failing on one of them cannot average it away with good prices;
    - overall_score_low / _high: the same from the metric scores' interval bounds (each
      bound taken for every metric at once: a conservative, fully correlated interval);
    - ranks (1 = best) by overall_score (rounded to the published 2 decimals) among the month's ranked suppliers: group-wide,
      within the main category, within the main business unit;
    - is_bottom_decile: the round(bottom_share x ranked suppliers) lowest overall scores of
      the month, group-wide (ties: lower spend first, then supplier_key). Scores are
      already relative to the category's peers, so this is the bottom share of every
      category at once while the list keeps exactly its share;
    - list_status: 'listed' for a bottom-decile supplier whose whole interval lies below the
      cut-off (overall_score_high < list_cutoff_score, the lowest overall score outside the
      bottom decile), 'watch' for the other bottom-decile suppliers, null otherwise;
    - bottom_decile_reasons: the reason_count metrics with the largest weighted shortfall
      below the peer median (effective_weight x (50 - metric_score), scores below 50 only).
-#}
{%- set knockout_groups = "'" ~ var('scorecard_knockout_groups', ['quality', 'delivery']) | join("', '") ~ "'" -%}
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
        sum(effective_weight * metric_score) / sum(effective_weight) as group_score,
        sum(effective_weight * metric_score_low) / sum(effective_weight) as group_score_low,
        sum(effective_weight * metric_score_high) / sum(effective_weight) as group_score_high
    from scores
    group by supplier_scorecard_id, metric_group

),

group_rollup as (

    select
        supplier_scorecard_id,
        max(group_score) filter (where metric_group = 'quality') as quality_score,
        max(group_score) filter (where metric_group = 'delivery') as delivery_score,
        max(group_score) filter (where metric_group = 'price') as price_score,
        max(group_score) filter (where metric_group = 'service') as service_score,
        {%- for bound in ['', '_low', '_high'] %}
        sum(group_weight * group_score{{ bound }}) / sum(group_weight) as weighted_mean{{ bound }},
        min(group_score{{ bound }}) filter (where metric_group in ({{ knockout_groups }}))
            as knockout_score{{ bound }}{{ ',' if not loop.last }}
        {%- endfor %}
    from group_scores
    group by supplier_scorecard_id

),

overall as (

    -- rounded here, not only in the mart: ranks and the list are taken on the published
    -- score, so two suppliers shown with the same score share a rank, and float summation
    -- order (thread count) cannot reorder near-ties (least() skips a null knockout score)
    select
        *,
        round(least(weighted_mean, knockout_score), 2) as overall_score,
        round(least(weighted_mean_low, knockout_score_low), 2) as overall_score_low,
        round(least(weighted_mean_high, knockout_score_high), 2) as overall_score_high
    from group_rollup

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
        overall.overall_score_low,
        overall.overall_score_high,
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

),

cut as (

    -- the list's cut-off: the lowest overall score outside the bottom decile
    select
        *,
        position_from_bottom <= round(bottom_share * ranked_supplier_count) as is_bottom_decile,
        min(overall_score) filter (where position_from_bottom > round(bottom_share * ranked_supplier_count))
            over (partition by scorecard_month) as list_cutoff_score
    from ranked

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
    overall_score_low,
    overall_score_high,
    cast(ranked_supplier_count as integer) as ranked_supplier_count,
    cast(group_rank as integer) as group_rank,
    cast(category_rank as integer) as category_rank,
    cast(category_ranked_count as integer) as category_ranked_count,
    cast(business_unit_rank as integer) as business_unit_rank,
    cast(business_unit_ranked_count as integer) as business_unit_ranked_count,
    is_bottom_decile,
    list_cutoff_score,
    case
        when is_bottom_decile and (list_cutoff_score is null or overall_score_high < list_cutoff_score)
            then 'listed'
        when is_bottom_decile then 'watch'
    end as list_status,
    weakest_metrics
from cut
