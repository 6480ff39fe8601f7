{#-
    The scorecard metrics of every golden supplier per month, from the trailing-window sums
    (int_supplier_scorecards__windowed); each formula is stated on its column in the YAML.
    A ratio with an empty denominator is null (no evidence, not zero); every metric is
    rounded to 6 decimals. A supplier is ranked only with at least min_orders purchase
    orders and min_receipts goods receipts in the window; thinner histories get metrics but
    no score, rank or decile.
    Buyer satisfaction (buyer_*_rating): the mean 1-5 score of the buyers' ratings of
    platform orders delivered in the window (int_supplier_months__ratings), shrunk toward
    the mean of the supplier's main category: (sum + k x prior) / (rating_count + k), with
    prior = the pooled mean of the month's rated suppliers of that category when it has at
    least min_category_peers of them, else of every rated supplier of the group, and
    k = rating_prior_strength pseudo-ratings (var scorecard_rating_prior_strength, default
    5: a supplier with 5 ratings sits halfway between its own mean and the prior). Null
    without ratings (no evidence, not a bad score).
-#}
with

windowed as (

    select * from {{ ref('int_supplier_scorecards__windowed') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

rating_months as (

    select * from {{ ref('int_supplier_months__ratings') }}

),

rating_windows as (

    select
        windowed.supplier_scorecard_id,
        sum(rating_months.rating_count) as rating_count,
        sum(rating_months.delivery_rating_sum) as delivery_rating_sum,
        sum(rating_months.quality_rating_sum) as quality_rating_sum,
        sum(rating_months.service_rating_sum) as service_rating_sum
    from windowed
    inner join rating_months
        on rating_months.supplier_key = windowed.supplier_key
        and rating_months.activity_month between windowed.window_start_month and windowed.scorecard_month
    group by windowed.supplier_scorecard_id

),

rating_priors as (

    -- the pooled mean score of the rated suppliers of each category and of the group
    select
        windowed.supplier_scorecard_id,
        count(*) over in_category as category_rated_suppliers,
        {%- for score in ['delivery', 'quality', 'service'] %}
        sum(rating_windows.{{ score }}_rating_sum) over in_category
            / sum(rating_windows.rating_count) over in_category as category_{{ score }}_prior,
        sum(rating_windows.{{ score }}_rating_sum) over in_group
            / sum(rating_windows.rating_count) over in_group as group_{{ score }}_prior{{ ',' if not loop.last }}
        {%- endfor %}
    from windowed
    inner join rating_windows
        on windowed.supplier_scorecard_id = rating_windows.supplier_scorecard_id
    window
        in_category as (partition by windowed.scorecard_month, windowed.main_category_id),
        in_group as (partition by windowed.scorecard_month)

),

ratings as (

    select
        rating_windows.*,
        {%- for score in ['delivery', 'quality', 'service'] %}
        round(cast(rating_windows.{{ score }}_rating_sum / rating_windows.rating_count as double), 6)
            as {{ score }}_rating_mean,
        round(cast(
            (rating_windows.{{ score }}_rating_sum + parameters.rating_prior_strength * case
                when windowed.main_category_id is not null
                    and rating_priors.category_rated_suppliers >= parameters.min_category_peers
                    then rating_priors.category_{{ score }}_prior
                else rating_priors.group_{{ score }}_prior
            end) / (rating_windows.rating_count + parameters.rating_prior_strength)
        as double), 6) as buyer_{{ score }}_rating{{ ',' if not loop.last }}
        {%- endfor %}
    from rating_windows
    inner join windowed
        on rating_windows.supplier_scorecard_id = windowed.supplier_scorecard_id
    inner join rating_priors
        on rating_windows.supplier_scorecard_id = rating_priors.supplier_scorecard_id
    cross join parameters

),

metrics as (

    select
        windowed.supplier_scorecard_id,
        windowed.supplier_key,
        windowed.scorecard_month,
        windowed.window_start_month,
        windowed.main_category_id,
        windowed.main_business_unit_code,
        -- activity
        cast(windowed.spend_group as decimal(18, 4)) as spend_group,
        {{ safe_ratio('100.0 * windowed.spend_group', 'windowed.group_spend_group', 6) }}
            as group_spend_share_pct,
        cast(windowed.po_count as integer) as po_count,
        cast(windowed.po_line_count as integer) as po_line_count,
        cast(windowed.receipt_count as integer) as receipt_count,
        cast(windowed.active_months as integer) as active_months,
        cast(windowed.business_units_served as integer) as business_units_served,
        cast(windowed.due_line_count as integer) as due_line_count,
        cast(windowed.completed_line_count as integer) as completed_line_count,
        cast(windowed.lead_time_line_count as integer) as lead_time_line_count,
        cast(windowed.gps_tracked_shipment_count as integer) as gps_tracked_shipment_count,
        cast(windowed.inspection_count as integer) as inspection_count,
        cast(windowed.inspected_units as bigint) as inspected_units,
        cast(windowed.ticket_count as integer) as ticket_count,
        cast(windowed.responded_ticket_count as integer) as responded_ticket_count,
        cast(windowed.resolved_ticket_count as integer) as resolved_ticket_count,
        cast(windowed.invoice_count as integer) as invoice_count,
        cast(windowed.ack_expected_po_count as integer) as ack_expected_po_count,
        cast(windowed.acknowledged_po_count as integer) as acknowledged_po_count,
        cast(windowed.priced_line_count as integer) as priced_line_count,
        -- delivery
        {{ safe_ratio('windowed.on_time_line_count', 'windowed.due_line_count', 6) }}
            as on_time_delivery_rate,
        {{ safe_ratio('windowed.on_time_in_full_line_count', 'windowed.due_line_count', 6) }}
            as on_time_in_full_rate,
        {{ safe_ratio('windowed.quantity_accurate_line_count', 'windowed.completed_line_count', 6) }}
            as quantity_accuracy_rate,
        {{ safe_ratio('windowed.days_late_sum', 'windowed.due_line_count', 6) }}
            as avg_days_late,
        {{ safe_ratio('windowed.lead_time_days_sum', 'windowed.lead_time_line_count', 6) }}
            as avg_lead_time_days,
        case
            when windowed.lead_time_line_count >= 2 and windowed.lead_time_days_sum > 0
                then round(cast(
                    {{ sample_stddev_from_sums(
                        'windowed.lead_time_days_sum',
                        'windowed.lead_time_days_squared_sum',
                        'windowed.lead_time_line_count'
                    ) }} / (windowed.lead_time_days_sum / windowed.lead_time_line_count)
                as double), 6)
        end as lead_time_cv,
        {{ safe_ratio('windowed.asn_eta_accurate_count', 'windowed.gps_tracked_shipment_count', 6) }}
            as asn_eta_accuracy_rate,
        -- quality
        {{ safe_ratio('windowed.inspections_passed_count', 'windowed.inspection_count', 6) }}
            as quality_pass_rate,
        {{ safe_ratio('1e6 * windowed.defective_units', 'windowed.inspected_units', 6) }}
            as defect_ppm,
        {{ safe_ratio('windowed.return_count', 'windowed.receipt_count', 6) }} as return_rate,
        {{ safe_ratio('100.0 * windowed.ticket_count', 'windowed.receipt_count', 6) }}
            as complaint_rate,
        -- service
        {{ safe_ratio('windowed.response_hours_sum', 'windowed.responded_ticket_count', 6) }}
            as avg_ticket_response_hours,
        {{ safe_ratio('windowed.resolution_days_sum', 'windowed.resolved_ticket_count', 6) }}
            as avg_ticket_resolution_days,
        {{ safe_ratio('windowed.accurate_invoice_count', 'windowed.invoice_count', 6) }}
            as invoice_accuracy_rate,
        {{ safe_ratio('windowed.duplicate_invoice_count', 'windowed.invoice_count', 6) }}
            as duplicate_invoice_rate,
        {{ safe_ratio('windowed.mismatched_invoice_count', 'windowed.invoice_count', 6) }}
            as invoice_mismatch_rate,
        {{ safe_ratio('windowed.acknowledged_po_count', 'windowed.ack_expected_po_count', 6) }}
            as po_ack_rate,
        {{ safe_ratio('windowed.ack_hours_sum', 'windowed.acknowledged_po_count', 6) }}
            as avg_po_ack_hours,
        -- price
        {{ percent_change('windowed.price_index_weighted_sum', 'windowed.priced_spend_group', 6) }}
            as price_vs_market_pct,
        case
            when windowed.priced_line_count >= 2
                then round(cast(100.0 * {{ sample_stddev_from_sums(
                    'windowed.price_index_sum',
                    'windowed.price_index_squared_sum',
                    'windowed.priced_line_count'
                ) }} as double), 6)
        end as price_volatility_pct,
        {{ safe_ratio('windowed.price_overridden_line_count', 'windowed.po_line_count', 6) }}
            as price_override_rate,
        -- buyer satisfaction (platform ratings, 1-5; shrunk toward the category mean)
        cast(coalesce(ratings.rating_count, 0) as integer) as rating_count,
        ratings.delivery_rating_mean,
        ratings.quality_rating_mean,
        ratings.service_rating_mean,
        ratings.buyer_delivery_rating,
        ratings.buyer_quality_rating,
        ratings.buyer_service_rating,
        -- ranking eligibility
        case
            when windowed.po_count < parameters.min_orders
                then 'fewer than ' || parameters.min_orders || ' purchase orders in the window'
            when windowed.receipt_count < parameters.min_receipts
                then 'fewer than ' || parameters.min_receipts || ' goods receipts in the window'
        end as unranked_reason
    from windowed
    cross join parameters
    left join ratings
        on windowed.supplier_scorecard_id = ratings.supplier_scorecard_id

)

select
    *,
    unranked_reason is null as is_ranked
from metrics
