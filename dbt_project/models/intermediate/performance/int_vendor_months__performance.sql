{#-
    The additive building blocks of every supplier metric, per ERP vendor record and month:
    counts and sums only, so they add up over a supplier's vendor records (aliases across
    business units) and over any window of months. Each family is attributed to the month
    of its own event:
    - orders, lines, spend, price overrides, market price index: the order month (lines of
      valid, not cancelled orders);
    - delivery (on time, in full, days late, lead time): the promised month of due lines;
    - receipts, inspections, returns: the received month;
    - invoices: the invoice month;
    - acknowledgement: the order month of orders approved at least po_ack_grace_days before
      as_of_date;
    - after-sales tickets (CRM, root cause traced to the vendor): the month they were opened;
    - shipments and GPS: the month they arrived.
    Excluded rows (see dq_procurement_exclusions) count nowhere.
-#}
with

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

order_lines as (

    select * from {{ ref('int_purchase_order_lines__delivered') }}
    where not is_excluded

),

ordered as (

    select
        vendor_id,
        order_month as activity_month,
        count(distinct purchase_order_id) as po_count,
        count(*) as po_line_count,
        sum(line_amount_group) as spend_group,
        count(*) filter (where is_price_overridden) as price_overridden_line_count
    from order_lines
    where not is_cancelled
    group by vendor_id, order_month

),

priced as (

    select
        vendor_id,
        order_month as activity_month,
        count(price_index) as priced_line_count,
        sum(line_amount_group) filter (where price_index is not null) as priced_spend_group,
        sum(cast(line_amount_group as double) * price_index) as price_index_weighted_sum,
        sum(price_index) as price_index_sum,
        sum(price_index * price_index) as price_index_squared_sum
    from {{ ref('int_purchase_order_lines__market_priced') }}
    group by vendor_id, order_month

),

due as (

    select
        vendor_id,
        promised_month as activity_month,
        count(*) as due_line_count,
        count(*) filter (where is_on_time) as on_time_line_count,
        count(*) filter (where is_on_time_in_full) as on_time_in_full_line_count,
        sum(days_late) as days_late_sum,
        count(*) filter (where is_complete) as completed_line_count,
        count(*) filter (where is_complete and is_quantity_accurate) as quantity_accurate_line_count,
        count(lead_time_days) as lead_time_line_count,
        sum(lead_time_days) as lead_time_days_sum,
        sum(lead_time_days * lead_time_days) as lead_time_days_squared_sum
    from order_lines
    where is_due
    group by vendor_id, promised_month

),

received as (

    select
        vendor_id,
        received_month as activity_month,
        count(*) as receipt_count,
        sum(received_value_group) as received_value_group,
        sum(inspection_count) as inspection_count,
        sum(inspections_passed) as inspections_passed_count,
        sum(inspected_units) as inspected_units,
        sum(defective_units) as defective_units,
        sum(return_count) as return_count
    from {{ ref('int_goods_receipts__inspected') }}
    where not is_excluded
    group by vendor_id, received_month

),

invoiced as (

    select
        vendor_id,
        invoice_month as activity_month,
        count(*) as invoice_count,
        count(*) filter (where is_duplicate) as duplicate_invoice_count,
        count(*) filter (where is_mismatch) as mismatched_invoice_count,
        count(*) filter (where is_accurate) as accurate_invoice_count,
        sum(net_amount_group) as invoiced_amount_group
    from {{ ref('int_ap_invoices__matched') }}
    where not is_excluded
    group by vendor_id, invoice_month

),

acknowledged as (

    select
        orders.vendor_id,
        cast(date_trunc('month', orders.order_date) as date) as activity_month,
        count(*) as ack_expected_po_count,
        count(orders.acknowledged_at) as acknowledged_po_count,
        sum(epoch(orders.acknowledged_at - orders.approved_at) / 3600.0) as ack_hours_sum
    from {{ ref('stg_erp__purchase_orders') }} as orders
    cross join parameters
    where orders.vendor_id is not null
        and orders.status != 'cancelled'
        and orders.approved_at is not null
        and cast(timezone(parameters.business_timezone, orders.approved_at) as date)
            <= parameters.as_of_date - parameters.po_ack_grace_days
    group by orders.vendor_id, cast(date_trunc('month', orders.order_date) as date)

),

tickets as (

    select
        tickets.root_cause_vendor_id as vendor_id,
        cast(date_trunc('month', timezone(parameters.business_timezone, tickets.opened_at)) as date)
            as activity_month,
        count(*) as ticket_count,
        count(*) filter (where tickets.category = 'quality') as quality_ticket_count,
        count(tickets.first_response_at) as responded_ticket_count,
        sum(epoch(tickets.first_response_at - tickets.opened_at) / 3600.0) as response_hours_sum,
        count(tickets.resolved_at) as resolved_ticket_count,
        sum(epoch(tickets.resolved_at - tickets.opened_at) / 86400.0) as resolution_days_sum
    from {{ ref('stg_crm__tickets') }} as tickets
    cross join parameters
    where tickets.root_cause_vendor_id is not null
        and tickets.opened_at is not null
    group by all

),

shipped as (

    select
        vendor_id,
        arrived_month as activity_month,
        count(*) as shipment_count,
        count(*) filter (where is_gps_tracked) as gps_tracked_shipment_count,
        count(*) filter (where is_asn_eta_accurate) as asn_eta_accurate_count
    from {{ ref('int_shipments__gps_tracked') }}
    where vendor_id is not null
        and arrived_month is not null
    group by vendor_id, arrived_month

),

stacked as (

    select * from ordered
    union all by name select * from priced
    union all by name select * from due
    union all by name select * from received
    union all by name select * from invoiced
    union all by name select * from acknowledged
    union all by name select * from tickets
    union all by name select * from shipped

)

select
    vendor_id || ':' || strftime(activity_month, '%Y-%m') as vendor_month_id,
    vendor_id,
    activity_month,
    -- ordering and price
    coalesce(sum(po_count), 0) as po_count,
    coalesce(sum(po_line_count), 0) as po_line_count,
    cast(coalesce(sum(spend_group), 0) as decimal(18, 4)) as spend_group,
    coalesce(sum(price_overridden_line_count), 0) as price_overridden_line_count,
    coalesce(sum(priced_line_count), 0) as priced_line_count,
    cast(coalesce(sum(priced_spend_group), 0) as decimal(18, 4)) as priced_spend_group,
    coalesce(sum(price_index_weighted_sum), 0) as price_index_weighted_sum,
    coalesce(sum(price_index_sum), 0) as price_index_sum,
    coalesce(sum(price_index_squared_sum), 0) as price_index_squared_sum,
    -- delivery
    coalesce(sum(due_line_count), 0) as due_line_count,
    coalesce(sum(on_time_line_count), 0) as on_time_line_count,
    coalesce(sum(on_time_in_full_line_count), 0) as on_time_in_full_line_count,
    coalesce(sum(days_late_sum), 0) as days_late_sum,
    coalesce(sum(completed_line_count), 0) as completed_line_count,
    coalesce(sum(quantity_accurate_line_count), 0) as quantity_accurate_line_count,
    coalesce(sum(lead_time_line_count), 0) as lead_time_line_count,
    coalesce(sum(lead_time_days_sum), 0) as lead_time_days_sum,
    coalesce(sum(lead_time_days_squared_sum), 0) as lead_time_days_squared_sum,
    coalesce(sum(shipment_count), 0) as shipment_count,
    coalesce(sum(gps_tracked_shipment_count), 0) as gps_tracked_shipment_count,
    coalesce(sum(asn_eta_accurate_count), 0) as asn_eta_accurate_count,
    -- quality
    coalesce(sum(receipt_count), 0) as receipt_count,
    cast(coalesce(sum(received_value_group), 0) as decimal(18, 4)) as received_value_group,
    coalesce(sum(inspection_count), 0) as inspection_count,
    coalesce(sum(inspections_passed_count), 0) as inspections_passed_count,
    coalesce(sum(inspected_units), 0) as inspected_units,
    coalesce(sum(defective_units), 0) as defective_units,
    coalesce(sum(return_count), 0) as return_count,
    coalesce(sum(ticket_count), 0) as ticket_count,
    coalesce(sum(quality_ticket_count), 0) as quality_ticket_count,
    -- service
    coalesce(sum(responded_ticket_count), 0) as responded_ticket_count,
    coalesce(sum(response_hours_sum), 0) as response_hours_sum,
    coalesce(sum(resolved_ticket_count), 0) as resolved_ticket_count,
    coalesce(sum(resolution_days_sum), 0) as resolution_days_sum,
    coalesce(sum(invoice_count), 0) as invoice_count,
    coalesce(sum(duplicate_invoice_count), 0) as duplicate_invoice_count,
    coalesce(sum(mismatched_invoice_count), 0) as mismatched_invoice_count,
    coalesce(sum(accurate_invoice_count), 0) as accurate_invoice_count,
    cast(coalesce(sum(invoiced_amount_group), 0) as decimal(18, 4)) as invoiced_amount_group,
    coalesce(sum(ack_expected_po_count), 0) as ack_expected_po_count,
    coalesce(sum(acknowledged_po_count), 0) as acknowledged_po_count,
    coalesce(sum(ack_hours_sum), 0) as ack_hours_sum
from stacked
group by vendor_id, activity_month
