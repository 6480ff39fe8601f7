{#-
    Every scored metric of every ranked supplier-month normalised to 0-100 (one row per
    supplier, month and metric). The score is the mid-rank percentile among the metric's
    peers: 100 x (peers with a worse value + 0.5 x other peers with the same value) / (peers
    - 1); 50 for a lone peer. Peers are the ranked suppliers of the same month with a value
    and at least min_observations observations for the metric, within the supplier's main
    category when it has at least min_category_peers of them, else every such supplier of
    the group (peer_scope GROUP).
    The peer median travels with each score (it explains a low one). Weights come from the
    scorecard_weights seed: effective_weight = group_weight x metric_weight / sum of the
    group's metric weights.
-#}
{%- set scored_metrics = [
    ('on_time_delivery_rate', 'due_line_count'),
    ('on_time_in_full_rate', 'due_line_count'),
    ('quantity_accuracy_rate', 'completed_line_count'),
    ('avg_days_late', 'due_line_count'),
    ('avg_lead_time_days', 'lead_time_line_count'),
    ('lead_time_cv', 'lead_time_line_count'),
    ('asn_eta_accuracy_rate', 'gps_tracked_shipment_count'),
    ('quality_pass_rate', 'inspection_count'),
    ('defect_ppm', 'inspection_count'),
    ('return_rate', 'receipt_count'),
    ('complaint_rate', 'receipt_count'),
    ('avg_ticket_response_hours', 'responded_ticket_count'),
    ('avg_ticket_resolution_days', 'resolved_ticket_count'),
    ('invoice_accuracy_rate', 'invoice_count'),
    ('duplicate_invoice_rate', 'invoice_count'),
    ('invoice_mismatch_rate', 'invoice_count'),
    ('po_ack_rate', 'ack_expected_po_count'),
    ('avg_po_ack_hours', 'acknowledged_po_count'),
    ('price_vs_market_pct', 'priced_line_count'),
    ('price_volatility_pct', 'priced_line_count'),
    ('price_override_rate', 'po_line_count'),
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

    {% for metric, observations in scored_metrics %}
    select
        supplier_scorecard_id,
        supplier_key,
        scorecard_month,
        main_category_id,
        '{{ metric }}' as metric,
        cast({{ metric }} as double) as metric_value,
        cast({{ observations }} as bigint) as observations
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
        -- ordering key: larger is better, whatever the metric's direction
        case when weights.higher_is_better then long_metrics.metric_value else -long_metrics.metric_value end
            as goodness
    from long_metrics
    inner join weights
        on long_metrics.metric = weights.metric
    where long_metrics.metric_value is not null
        and long_metrics.observations >= weights.min_observations

),

peer_stats as (

    select
        *,
        count(*) over in_category as category_peer_count,
        median(metric_value) over in_category as category_median_value,
        rank() over (in_category order by goodness) - 1 as category_worse_peers,
        count(*) over (partition by scorecard_month, metric, main_category_id, goodness) - 1
            as category_tied_peers,
        count(*) over in_group as group_peer_count,
        median(metric_value) over in_group as group_median_value,
        rank() over (in_group order by goodness) - 1 as group_worse_peers,
        count(*) over (partition by scorecard_month, metric, goodness) - 1 as group_tied_peers
    from eligible
    window
        in_category as (partition by scorecard_month, metric, main_category_id),
        in_group as (partition by scorecard_month, metric)

),

ranked as (

    select
        peer_stats.*,
        peer_stats.main_category_id is not null
            and peer_stats.category_peer_count >= parameters.min_category_peers as is_category_scope
    from peer_stats
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
            ('worse_peers', 'worse_peers'),
            ('tied_peers', 'tied_peers'),
        ] %}
        case when is_category_scope then category_{{ statistic }} else group_{{ statistic }} end
            as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}
    from ranked

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
    case
        when peer_count = 1 then 50.0
        else round(100.0 * (worse_peers + 0.5 * tied_peers) / (peer_count - 1), 4)
    end as metric_score,
    group_weight,
    metric_weight,
    effective_weight
from scoped
