{#-
    The supplier scorecard: every golden supplier with activity in the trailing window, for
    every complete month. Metrics over the trailing window (formulas on each column in the
    YAML), their 0-100 scores, the SAP-style group scores and the weighted overall score,
    ranks and the elimination list (is_bottom_decile) with its reasons. Suppliers with too
    little history have metrics but no score, rank or decile (is_ranked = false).
-#}
with

metrics as (

    select * from {{ ref('int_supplier_scorecards__metrics') }}

),

ranked as (

    select * from {{ ref('int_supplier_scorecards__ranked') }}

),

scores as (

    select * from {{ ref('int_supplier_scorecards__scored') }}

),

suppliers as (

    select * from {{ ref('supplier_master') }}

),

categories as (

    select * from {{ ref('stg_erp__material_categories') }}

),

vendor_records as (

    select
        supplier_key,
        count(*) as erp_vendor_record_count
    from {{ ref('int_erp_vendors__resolved') }}
    group by supplier_key

),

metric_scores as (

    select
        supplier_scorecard_id,
        max(metric_score) filter (where metric = 'quality_pass_rate') as quality_pass_rate_score,
        max(metric_score) filter (where metric = 'defect_ppm') as defect_ppm_score,
        max(metric_score) filter (where metric = 'return_rate') as return_rate_score,
        max(metric_score) filter (where metric = 'complaint_rate') as complaint_rate_score,
        max(metric_score) filter (where metric = 'on_time_delivery_rate') as on_time_delivery_rate_score,
        max(metric_score) filter (where metric = 'on_time_in_full_rate') as on_time_in_full_rate_score,
        max(metric_score) filter (where metric = 'avg_days_late') as avg_days_late_score,
        max(metric_score) filter (where metric = 'quantity_accuracy_rate') as quantity_accuracy_rate_score,
        max(metric_score) filter (where metric = 'lead_time_cv') as lead_time_cv_score,
        max(metric_score) filter (where metric = 'asn_eta_accuracy_rate') as asn_eta_accuracy_rate_score,
        max(metric_score) filter (where metric = 'price_vs_market_pct') as price_vs_market_pct_score,
        max(metric_score) filter (where metric = 'price_volatility_pct') as price_volatility_pct_score,
        max(metric_score) filter (where metric = 'price_override_rate') as price_override_rate_score,
        max(metric_score) filter (where metric = 'invoice_accuracy_rate') as invoice_accuracy_rate_score,
        max(metric_score) filter (where metric = 'po_ack_rate') as po_ack_rate_score,
        max(metric_score) filter (where metric = 'avg_po_ack_hours') as avg_po_ack_hours_score,
        max(metric_score) filter (where metric = 'avg_ticket_response_hours') as avg_ticket_response_hours_score,
        max(metric_score) filter (where metric = 'avg_ticket_resolution_days') as avg_ticket_resolution_days_score,
        max(metric_score) filter (where metric = 'buyer_delivery_rating') as buyer_delivery_rating_score,
        max(metric_score) filter (where metric = 'buyer_quality_rating') as buyer_quality_rating_score,
        max(metric_score) filter (where metric = 'buyer_service_rating') as buyer_service_rating_score
    from scores
    group by supplier_scorecard_id

)

select
    -- keys
    metrics.supplier_scorecard_id,
    metrics.supplier_key,
    suppliers.group_supplier_id,
    suppliers.golden_name as supplier_name,
    metrics.scorecard_month,
    metrics.window_start_month,
    cast(metrics.scorecard_month + interval 1 month - interval 1 day as date) as window_end_date,
    metrics.main_category_id,
    categories.category_name_en as main_category_name,
    metrics.main_business_unit_code,
    cast(coalesce(vendor_records.erp_vendor_record_count, 0) as integer) as erp_vendor_record_count,
    -- activity
    metrics.spend_group,
    cast('{{ var("group_currency") }}' as varchar) as currency,
    metrics.group_spend_share_pct,
    metrics.po_count,
    metrics.po_line_count,
    metrics.receipt_count,
    metrics.active_months,
    metrics.business_units_served,
    metrics.due_line_count,
    metrics.inspection_count,
    metrics.invoice_count,
    metrics.ticket_count,
    metrics.gps_tracked_shipment_count,
    -- delivery
    metrics.on_time_delivery_rate,
    metrics.on_time_in_full_rate,
    metrics.quantity_accuracy_rate,
    metrics.avg_days_late,
    metrics.avg_lead_time_days,
    metrics.lead_time_cv,
    metrics.asn_eta_accuracy_rate,
    -- quality
    metrics.quality_pass_rate,
    metrics.defect_ppm,
    metrics.return_rate,
    metrics.complaint_rate,
    -- service
    metrics.avg_ticket_response_hours,
    metrics.avg_ticket_resolution_days,
    metrics.invoice_accuracy_rate,
    metrics.duplicate_invoice_rate,
    metrics.invoice_mismatch_rate,
    metrics.po_ack_rate,
    metrics.avg_po_ack_hours,
    -- price
    metrics.price_vs_market_pct,
    metrics.price_volatility_pct,
    metrics.price_override_rate,
    -- scores (0-100, ranked suppliers only)
    round(metric_scores.quality_pass_rate_score, 2) as quality_pass_rate_score,
    round(metric_scores.defect_ppm_score, 2) as defect_ppm_score,
    round(metric_scores.return_rate_score, 2) as return_rate_score,
    round(metric_scores.complaint_rate_score, 2) as complaint_rate_score,
    round(metric_scores.on_time_delivery_rate_score, 2) as on_time_delivery_rate_score,
    round(metric_scores.on_time_in_full_rate_score, 2) as on_time_in_full_rate_score,
    round(metric_scores.avg_days_late_score, 2) as avg_days_late_score,
    round(metric_scores.quantity_accuracy_rate_score, 2) as quantity_accuracy_rate_score,
    round(metric_scores.lead_time_cv_score, 2) as lead_time_cv_score,
    round(metric_scores.asn_eta_accuracy_rate_score, 2) as asn_eta_accuracy_rate_score,
    round(metric_scores.price_vs_market_pct_score, 2) as price_vs_market_pct_score,
    round(metric_scores.price_volatility_pct_score, 2) as price_volatility_pct_score,
    round(metric_scores.price_override_rate_score, 2) as price_override_rate_score,
    round(metric_scores.invoice_accuracy_rate_score, 2) as invoice_accuracy_rate_score,
    round(metric_scores.po_ack_rate_score, 2) as po_ack_rate_score,
    round(metric_scores.avg_po_ack_hours_score, 2) as avg_po_ack_hours_score,
    round(metric_scores.avg_ticket_response_hours_score, 2) as avg_ticket_response_hours_score,
    round(metric_scores.avg_ticket_resolution_days_score, 2) as avg_ticket_resolution_days_score,
    round(ranked.quality_score, 2) as quality_score,
    round(ranked.delivery_score, 2) as delivery_score,
    round(ranked.price_score, 2) as price_score,
    round(ranked.service_score, 2) as service_score,
    round(ranked.overall_score, 2) as overall_score,
    ranked.overall_score_low,
    ranked.overall_score_high,
    -- ranking and the elimination list
    metrics.is_ranked,
    metrics.unranked_reason,
    ranked.ranked_supplier_count,
    ranked.group_rank,
    ranked.category_rank,
    ranked.category_ranked_count,
    ranked.business_unit_rank,
    ranked.business_unit_ranked_count,
    coalesce(ranked.is_bottom_decile, false) as is_bottom_decile,
    case when ranked.is_bottom_decile then ranked.weakest_metrics end as bottom_decile_reasons,
    ranked.list_cutoff_score,
    ranked.list_status,
    ranked.weakest_metrics,
    -- buyer satisfaction (platform ratings 1-5; buyer_* shrunk toward the category mean)
    metrics.rating_count,
    metrics.delivery_rating_mean,
    metrics.quality_rating_mean,
    metrics.service_rating_mean,
    metrics.buyer_delivery_rating,
    metrics.buyer_quality_rating,
    metrics.buyer_service_rating,
    round(metric_scores.buyer_delivery_rating_score, 2) as buyer_delivery_rating_score,
    round(metric_scores.buyer_quality_rating_score, 2) as buyer_quality_rating_score,
    round(metric_scores.buyer_service_rating_score, 2) as buyer_service_rating_score
from metrics
left join ranked
    on metrics.supplier_scorecard_id = ranked.supplier_scorecard_id
left join metric_scores
    on metrics.supplier_scorecard_id = metric_scores.supplier_scorecard_id
left join suppliers
    on metrics.supplier_key = suppliers.supplier_key
left join categories
    on metrics.main_category_id = categories.category_id
left join vendor_records
    on metrics.supplier_key = vendor_records.supplier_key
