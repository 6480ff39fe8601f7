{#-
    The scorecard metrics of every golden supplier per month, from the trailing-window sums
    (int_supplier_scorecards__windowed); each formula is stated on its column in the YAML.
    A ratio with an empty denominator is null (no evidence, not zero); every metric is
    rounded to 6 decimals. A supplier is ranked only with at least min_orders purchase
    orders and min_receipts goods receipts in the window; thinner histories get metrics but
    no score, rank or decile.
-#}
with

windowed as (

    select * from {{ ref('int_supplier_scorecards__windowed') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

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
        -- ranking eligibility
        case
            when windowed.po_count < parameters.min_orders
                then 'fewer than ' || parameters.min_orders || ' purchase orders in the window'
            when windowed.receipt_count < parameters.min_receipts
                then 'fewer than ' || parameters.min_receipts || ' goods receipts in the window'
        end as unranked_reason
    from windowed
    cross join parameters

)

select
    *,
    unranked_reason is null as is_ranked
from metrics
