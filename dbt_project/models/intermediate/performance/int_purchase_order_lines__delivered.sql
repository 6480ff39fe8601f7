{#-
    Every purchase order line with its order, its material's category, its amount in the
    group currency at the order date's rate, and how it was delivered: first and last
    receipt, quantity received in total and by the promised date (valid receipts only).
    A line is due once its promised date is on or before as_of_date and its order is not
    cancelled; a due line never received counts as late. A line that breaks a rule is kept
    with its exclusion_reason (listed in dq_procurement_exclusions) and left out of every
    metric; first broken rule wins.
-#}
with

order_lines as (

    select * from {{ ref('stg_erp__purchase_order_lines') }}

),

orders as (

    select * from {{ ref('stg_erp__purchase_orders') }}

),

materials as (

    select * from {{ ref('stg_erp__materials') }}

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

receipts as (

    select
        purchase_order_line_id,
        count(*) as receipt_count,
        sum(receipts.quantity) as received_quantity,
        coalesce(sum(receipts.quantity) filter (where receipts.is_on_time), 0) as received_quantity_by_promised,
        min(receipts.received_date) as first_received_date,
        max(receipts.received_date) as last_received_date
    from {{ ref('int_goods_receipts__inspected') }} as receipts
    where not receipts.is_excluded
    group by purchase_order_line_id

),

joined as (

    select
        order_lines.purchase_order_line_id,
        order_lines.purchase_order_id,
        orders.vendor_id,
        orders.business_unit_code,
        order_lines.material_id,
        materials.category_id,
        orders.order_date,
        cast(date_trunc('month', orders.order_date) as date) as order_month,
        order_lines.promised_date,
        cast(date_trunc('month', order_lines.promised_date) as date) as promised_month,
        orders.status as order_status,
        coalesce(orders.status = 'cancelled', false) as is_cancelled,
        order_lines.quantity,
        order_lines.uom,
        order_lines.unit_price,
        order_lines.currency,
        order_lines.line_amount,
        fx_windows.rate as fx_rate,
        fx_windows.valid_from_date as fx_rate_date,
        {{ to_group_currency('order_lines.unit_price', 'fx_windows.rate') }} as unit_price_group,
        {{ to_group_currency('order_lines.line_amount', 'fx_windows.rate') }} as line_amount_group,
        order_lines.price_overridden_at is not null as is_price_overridden,
        coalesce(receipts.receipt_count, 0) as receipt_count,
        coalesce(receipts.received_quantity, 0) as received_quantity,
        coalesce(receipts.received_quantity_by_promised, 0) as received_quantity_by_promised,
        receipts.first_received_date,
        receipts.last_received_date,
        parameters.as_of_date,
        parameters.quantity_tolerance_rel,
        case
            when orders.purchase_order_id is null then 'purchase order not found'
            when orders.vendor_id is null then 'purchase order without vendor'
            when materials.material_id is null then 'unknown material'
            when order_lines.quantity is null or order_lines.quantity <= 0 then 'non-positive quantity'
            when order_lines.unit_price is null or order_lines.unit_price < 0 then 'negative unit price'
            when fx_windows.rate is null then 'no exchange rate on or before the order date'
        end as exclusion_reason

    from order_lines
    cross join parameters
    left join orders
        on order_lines.purchase_order_id = orders.purchase_order_id
    left join materials
        on order_lines.material_id = materials.material_id
    left join receipts
        on order_lines.purchase_order_line_id = receipts.purchase_order_line_id
    left join fx_windows
        on {{ fx_rate_in_force('order_lines.currency', 'orders.order_date') }}

),

delivered as (

    select
        *,
        not is_cancelled and promised_date <= as_of_date as is_due,
        coalesce(order_status in ('received', 'closed'), false) as is_complete,
        coalesce(first_received_date <= promised_date, false) as is_on_time,
        received_quantity_by_promised >= (1 - quantity_tolerance_rel) * quantity as is_in_full_by_promised,
        abs(received_quantity - quantity) <= quantity_tolerance_rel * quantity as is_quantity_accurate,
        case
            when is_cancelled then null
            when first_received_date is not null
                then greatest(date_diff('day', promised_date, first_received_date), 0)
            when promised_date <= as_of_date
                then date_diff('day', promised_date, as_of_date)
        end as days_late,
        date_diff('day', order_date, first_received_date) as lead_time_days
    from joined

)

select
    purchase_order_line_id,
    purchase_order_id,
    vendor_id,
    business_unit_code,
    material_id,
    category_id,
    order_date,
    order_month,
    promised_date,
    promised_month,
    order_status,
    is_cancelled,
    is_due,
    is_complete,
    quantity,
    uom,
    unit_price,
    currency,
    line_amount,
    fx_rate,
    fx_rate_date,
    unit_price_group,
    line_amount_group,
    is_price_overridden,
    receipt_count,
    received_quantity,
    received_quantity_by_promised,
    first_received_date,
    last_received_date,
    is_on_time,
    is_on_time and is_in_full_by_promised as is_on_time_in_full,
    is_quantity_accurate,
    days_late,
    lead_time_days,
    exclusion_reason,
    exclusion_reason is not null as is_excluded
from delivered
