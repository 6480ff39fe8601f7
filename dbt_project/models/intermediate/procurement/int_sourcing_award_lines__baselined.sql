{#-
    The awarded lines of sourcing events against their baselines. An awarded line is one
    supplier's share of an event line in an approved award (sourcing_bid.outcome with
    awarded = true and status approved: its own lines, quantity and tier price in the group
    currency — before freight and before bundle discounts, i.e. the price a contract from
    the award agrees). The event's line (sku, quantity) and unit come from
    sourcing_event.opened. Baselines, both in the group currency from platform order lines
    placed before the event was opened (int_platform_order_lines__spend):
    last_price_paid — the unit's latest paid unit price for the SKU; median_price_paid —
    the median paid unit price of the SKU across the group. Null when there is no such
    purchase (free-text lines have none).
-#}
with

outbox_events as (

    select * from {{ ref('stg_tx__outbox_events') }}

),

order_lines as (

    select * from {{ ref('int_platform_order_lines__spend') }}

),

skus as (

    select * from {{ ref('int_platform_skus__categorised') }}

),

opened as (

    select
        cast(payload ->> '$.id' as bigint) as event_id,
        payload ->> '$.business_unit' as business_unit_code,
        payload ->> '$.title' as title,
        occurred_at as opened_at,
        unnest(from_json(payload -> '$.lines', '[{"line_no": "BIGINT", "sku_id": "BIGINT",
            "item": "VARCHAR", "quantity": "VARCHAR"}]')) as line
    from outbox_events
    where event_type = 'sourcing_event.opened'

),

outcomes as (

    select
        cast(payload ->> '$.event_id' as bigint) as event_id,
        payload ->> '$.supplier_id' as supplier_id,
        cast(payload ->> '$.rank' as bigint) as supplier_rank,
        occurred_at as awarded_at,
        sequence_id,
        unnest(from_json(payload -> '$.lines', '[{"line_no": "BIGINT", "quantity": "DOUBLE",
            "landed_unit_cost": "DOUBLE", "tier": "BIGINT"}]')) as line
    from outbox_events
    where event_type = 'sourcing_bid.outcome'
        and payload ->> '$.status' = 'approved'
        and cast(payload ->> '$.awarded' as boolean)

),

awarded as (

    select
        outcomes.event_id,
        outcomes.line.line_no as line_no,
        outcomes.supplier_id,
        outcomes.supplier_rank,
        outcomes.awarded_at,
        cast(outcomes.line.quantity as decimal(18, 4)) as awarded_quantity,
        cast(outcomes.line.landed_unit_cost as decimal(18, 4)) as awarded_unit_price_group,
        outcomes.line.tier as awarded_tier
    from outcomes
    qualify row_number() over (
        partition by outcomes.event_id, outcomes.line.line_no, outcomes.supplier_id
        order by outcomes.sequence_id desc
    ) = 1

),

event_lines as (

    select
        awarded.*,
        opened.business_unit_code,
        opened.title,
        opened.opened_at,
        opened.line.sku_id as sku_id,
        opened.line.item as item,
        cast(opened.line.quantity as decimal(18, 4)) as line_quantity
    from awarded
    inner join opened
        on opened.event_id = awarded.event_id
        and opened.line.line_no = awarded.line_no

),

last_paid as (

    select
        event_lines.event_id,
        event_lines.line_no,
        event_lines.supplier_id,
        arg_max(order_lines.unit_price_group, order_lines.placed_at) as last_price_paid_group
    from event_lines
    inner join order_lines
        on order_lines.sku_id = event_lines.sku_id
        and order_lines.business_unit_code = event_lines.business_unit_code
        and order_lines.placed_at < event_lines.opened_at
        and order_lines.unit_price_group is not null
    group by all

),

median_paid as (

    select
        event_lines.event_id,
        event_lines.line_no,
        event_lines.supplier_id,
        median(order_lines.unit_price_group) as median_price_paid_group,
        count(*) as baseline_purchase_count
    from event_lines
    inner join order_lines
        on order_lines.sku_id = event_lines.sku_id
        and order_lines.placed_at < event_lines.opened_at
        and order_lines.unit_price_group is not null
    group by all

)

select
    -- keys
    cast(event_lines.event_id as varchar) || ':' || cast(event_lines.line_no as varchar) || ':'
        || event_lines.supplier_id as award_line_id,
    -- data
    cast(event_lines.line_no as bigint) as line_no,
    cast(event_lines.title as varchar) as event_title,
    cast(event_lines.opened_at as timestamptz) as opened_at,
    cast(event_lines.awarded_at as timestamptz) as awarded_at,
    cast(event_lines.item as varchar) as item,
    cast(event_lines.line_quantity as decimal(18, 4)) as line_quantity,
    cast(event_lines.awarded_quantity as decimal(18, 4)) as awarded_quantity,
    cast(event_lines.awarded_tier as bigint) as awarded_tier,
    cast(event_lines.supplier_rank as bigint) as supplier_rank,
    cast(event_lines.awarded_unit_price_group as decimal(18, 4)) as awarded_unit_price_group,
    cast(last_paid.last_price_paid_group as decimal(18, 4)) as last_price_paid_group,
    cast(median_paid.median_price_paid_group as decimal(18, 4)) as median_price_paid_group,
    cast(coalesce(median_paid.baseline_purchase_count, 0) as bigint) as baseline_purchase_count,
    '{{ var("group_currency") }}' as group_currency,
    -- foreign keys
    cast(event_lines.event_id as bigint) as event_id,
    cast(event_lines.supplier_id as varchar) as supplier_id,
    cast(event_lines.business_unit_code as varchar) as business_unit_code,
    cast(event_lines.sku_id as bigint) as sku_id,
    cast(skus.category_code as varchar) as category_code
from event_lines
left join last_paid
    using (event_id, line_no, supplier_id)
left join median_paid
    using (event_id, line_no, supplier_id)
left join skus
    on skus.sku_id = event_lines.sku_id
