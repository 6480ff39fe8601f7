{#-
    Every scored metric of every ranked supplier-month normalised to 0-100 (one row per
    supplier, month and metric; 50 = at the peers' norm, higher is better), with an interval.
    Peers are the ranked suppliers of the same month with a value and at least
    min_observations observations for the metric, within the supplier's main category when
    it has at least min_category_peers of them, else every such supplier of the group
    (peer_scope GROUP).
    - Rate metrics (a trials column below) are shrunk toward the peers' pooled rate by
      empirical Bayes (beta-binomial, prior strength from the peers' spread:
      macros/shrinkage.sql): scored_value is the posterior rate (x the metric's scale), so a
      thin history stays near its peers and a long one keeps its own rate. Its score is how
      far the posterior lies from the peers' rate in prior standard deviations, through
      the normal CDF: 100 x Phi(direction x (posterior - prior) / prior sd), and
      metric_score_low / _high the same at the posterior -+ score_interval_z posterior sd.
      A rate far outside its peers' spread on long evidence scores near 0 whatever the
      size of the category (a percentile would hand 0 to the last of every category).
    - Buyer ratings (buyer_*_rating) arrive already shrunk toward the category mean
      (int_supplier_scorecards__metrics) and are scored like the other means below.
    - Other metrics (means of hours, days, percentages: no sampling variance in the
      building blocks) keep the mid-rank percentile among the peers: 100 x (peers with a
      worse value + 0.5 x other peers with the same value) / (peers - 1), 50 for a lone
      peer; their interval is the score itself.
    The peer median of the raw value travels with each score (it explains a low one).
    Weights come from the scorecard_weights seed: effective_weight = group_weight x
    metric_weight / sum of the group's metric weights.
-#}
{#- (metric, observations, trials, scale): trials = the rate's denominator column (none: not
    a rate, not shrunk), scale = what the rate is multiplied by in the metric -#}
{%- set scored_metrics = [
    ('on_time_delivery_rate', 'due_line_count', 'due_line_count', 1),
    ('on_time_in_full_rate', 'due_line_count', 'due_line_count', 1),
    ('quantity_accuracy_rate', 'completed_line_count', 'completed_line_count', 1),
    ('avg_days_late', 'due_line_count', none, 1),
    ('avg_lead_time_days', 'lead_time_line_count', none, 1),
    ('lead_time_cv', 'lead_time_line_count', none, 1),
    ('asn_eta_accuracy_rate', 'gps_tracked_shipment_count', 'gps_tracked_shipment_count', 1),
    ('quality_pass_rate', 'inspection_count', 'inspection_count', 1),
    ('defect_ppm', 'inspection_count', 'inspected_units', 1000000),
    ('return_rate', 'receipt_count', 'receipt_count', 1),
    ('complaint_rate', 'receipt_count', 'receipt_count', 100),
    ('avg_ticket_response_hours', 'responded_ticket_count', none, 1),
    ('avg_ticket_resolution_days', 'resolved_ticket_count', none, 1),
    ('invoice_accuracy_rate', 'invoice_count', 'invoice_count', 1),
    ('duplicate_invoice_rate', 'invoice_count', 'invoice_count', 1),
    ('invoice_mismatch_rate', 'invoice_count', 'invoice_count', 1),
    ('po_ack_rate', 'ack_expected_po_count', 'ack_expected_po_count', 1),
    ('avg_po_ack_hours', 'acknowledged_po_count', none, 1),
    ('price_vs_market_pct', 'priced_line_count', none, 1),
    ('price_volatility_pct', 'priced_line_count', none, 1),
    ('price_override_rate', 'po_line_count', 'po_line_count', 1),
    ('buyer_delivery_rating', 'rating_count', none, 1),
    ('buyer_quality_rating', 'rating_count', none, 1),
    ('buyer_service_rating', 'rating_count', none, 1),
] -%}
with

metrics as (

    select * from {{ ref('int_supplier_scorecards__metrics') }}
    where is_ranked

),

weights as (

    select
        metric,
        metric_group,
        group_weight,
        metric_weight,
        higher_is_better,
        min_observations,
        group_weight * metric_weight / sum(metric_weight) over (partition by metric_group)
            as effective_weight
    from {{ ref('scorecard_weights') }}
    where metric_weight > 0
        and group_weight > 0

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

long_metrics as (

    {% for metric, observations, trials, scale in scored_metrics %}
    select
        supplier_scorecard_id,
        supplier_key,
        scorecard_month,
        main_category_id,
        '{{ metric }}' as metric,
        cast({{ metric }} as double) as metric_value,
        cast({{ observations }} as bigint) as observations,
        {% if trials -%}
        cast({{ trials }} as double) as trials,
        cast({{ metric }} / {{ scale }} as double) as rate,
        {%- else -%}
        cast(null as double) as trials,
        cast(null as double) as rate,
        {%- endif %}
        cast({{ scale }} as double) as rate_scale
    from metrics
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

eligible as (

    select
        long_metrics.*,
        weights.metric_group,
        weights.group_weight,
        weights.metric_weight,
        weights.effective_weight,
        weights.higher_is_better,
        case when weights.higher_is_better then 1 else -1 end as direction
    from long_metrics
    inner join weights
        on long_metrics.metric = weights.metric
    where long_metrics.metric_value is not null
        and long_metrics.observations >= weights.min_observations
        and (long_metrics.trials is null or long_metrics.trials > 0)

),

peer_moments as (

    -- the peers' pooled rate, the variance of their rates and mean(1 / trials), per scope
    select
        *,
        count(*) over in_category as category_peer_count,
        median(metric_value) over in_category as category_median_value,
        sum(rate * trials) over in_category / sum(trials) over in_category as category_pooled_rate,
        var_pop(rate) over in_category as category_rate_variance,
        avg(1 / trials) over in_category as category_mean_inverse_trials,
        count(*) over in_group as group_peer_count,
        median(metric_value) over in_group as group_median_value,
        sum(rate * trials) over in_group / sum(trials) over in_group as group_pooled_rate,
        var_pop(rate) over in_group as group_rate_variance,
        avg(1 / trials) over in_group as group_mean_inverse_trials
    from eligible
    window
        in_category as (partition by scorecard_month, metric, main_category_id),
        in_group as (partition by scorecard_month, metric)

),

in_scope as (

    select
        peer_moments.*,
        parameters.score_interval_z,
        parameters.max_prior_strength,
        peer_moments.main_category_id is not null
            and peer_moments.category_peer_count >= parameters.min_category_peers as is_category_scope
    from peer_moments
    cross join parameters

),

scoped as (

    -- each peer statistic from the category scope or the group scope, whichever applies
    select
        *,
        case when is_category_scope then main_category_id else 'GROUP' end as peer_scope,
        {%- for statistic, column in [
            ('peer_count', 'peer_count'),
            ('median_value', 'peer_median_value'),
            ('pooled_rate', 'prior_rate'),
            ('rate_variance', 'peer_rate_variance'),
            ('mean_inverse_trials', 'peer_mean_inverse_trials'),
        ] %}
        case when is_category_scope then category_{{ statistic }} else group_{{ statistic }} end
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from in_scope

),

prior as (

    select
        *,
        case when trials is not null then
            {{ beta_prior_strength('prior_rate', 'peer_rate_variance', 'peer_mean_inverse_trials', 'max_prior_strength') }}
        end as prior_strength
    from scoped

),

posterior as (

    select
        *,
        {{ shrunk_rate('rate', 'trials', 'prior_rate', 'prior_strength') }} as posterior_rate
    from prior

),

bounded as (

    select
        *,
        coalesce(posterior_rate * rate_scale, metric_value) as scored_value,
        coalesce(
            {{ shrunk_rate_bound('posterior_rate', 'trials', 'prior_strength', 'score_interval_z', -1) }} * rate_scale,
            metric_value
        ) as value_low,
        coalesce(
            {{ shrunk_rate_bound('posterior_rate', 'trials', 'prior_strength', 'score_interval_z', 1) }} * rate_scale,
            metric_value
        ) as value_high
    from posterior

),

standing as (

    -- rates: posterior and its bounds in prior standard deviations from the peers' rate
    select
        *,
        direction * scored_value as goodness,
        direction * (posterior_rate - prior_rate) / prior_sd as standing,
        least(direction * (value_low / rate_scale - prior_rate), direction * (value_high / rate_scale - prior_rate))
            / prior_sd as standing_low,
        greatest(direction * (value_low / rate_scale - prior_rate), direction * (value_high / rate_scale - prior_rate))
            / prior_sd as standing_high
    from (
        select
            *,
            nullif(sqrt(prior_rate * (1 - prior_rate) / (prior_strength + 1)), 0) as prior_sd
        from bounded
    ) as bounded

),

ranked as (

    select
        *,
        rank() over (in_category order by goodness) - 1 as category_worse_peers,
        count(*) over (partition by scorecard_month, metric, main_category_id, goodness) - 1
            as category_tied_peers,
        rank() over (in_group order by goodness) - 1 as group_worse_peers,
        count(*) over (partition by scorecard_month, metric, goodness) - 1 as group_tied_peers
    from standing
    window
        in_category as (partition by scorecard_month, metric, main_category_id),
        in_group as (partition by scorecard_month, metric)

),

scored as (

    select
        *,
        case
            when trials is not null then 100 * {{ normal_cdf('coalesce(standing, 0)') }}
            when peer_count = 1 then 50.0
            else 100.0 * (worse_peers + 0.5 * tied_peers) / (peer_count - 1)
        end as raw_score,
        case when trials is not null then 100 * {{ normal_cdf('coalesce(standing_low, 0)') }} end
            as raw_score_low,
        case when trials is not null then 100 * {{ normal_cdf('coalesce(standing_high, 0)') }} end
            as raw_score_high
    from (
        select
            *,
            case when is_category_scope then category_worse_peers else group_worse_peers end as worse_peers,
            case when is_category_scope then category_tied_peers else group_tied_peers end as tied_peers
        from ranked
    ) as ranked

)

select
    supplier_scorecard_id || ':' || metric as supplier_metric_score_id,
    supplier_scorecard_id,
    supplier_key,
    scorecard_month,
    metric,
    metric_group,
    metric_value,
    observations,
    peer_scope,
    cast(peer_count as integer) as peer_count,
    peer_median_value,
    round(prior_rate * rate_scale, 6) as prior_value,
    round(prior_strength, 4) as prior_strength,
    round(scored_value, 6) as scored_value,
    round(value_low, 6) as value_low,
    round(value_high, 6) as value_high,
    round(raw_score, 4) as metric_score,
    round(coalesce(raw_score_low, raw_score), 4) as metric_score_low,
    round(coalesce(raw_score_high, raw_score), 4) as metric_score_high,
    group_weight,
    metric_weight,
    effective_weight
from scored
