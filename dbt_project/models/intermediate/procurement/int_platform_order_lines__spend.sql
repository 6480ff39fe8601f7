{#-
    Platform order lines as spend: every line of an order.placed event whose order was not
    later cancelled, rejected, refused by the risk review or left to expire unapproved
    (order.cancelled / order.rejected / order.refused / order.approval_expired), valued in
    the group currency at the rate in force on the placement day (int_fx_rates__windowed).
    contract_id is set on call-offs (orders placed against a framework contract, at its
    price); null is off-contract spend. unit_price is the price before promotions,
    net_amount what the line costs after them.
-#}
with

outbox_events as (

    select * from {{ ref('stg_tx__outbox_events') }}

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

skus as (

    select * from {{ ref('int_platform_skus__categorised') }}

),

placed as (

    select
        cast(payload ->> '$.id' as bigint) as order_id,
        payload ->> '$.business_unit' as business_unit_code,
        payload ->> '$.supplier_id' as supplier_id,
        try_cast(payload ->> '$.contract_id' as bigint) as contract_id,
        occurred_at as placed_at,
        payload -> '$.lines' as lines_json
    from outbox_events
    where event_type = 'order.placed'
    qualify row_number() over (partition by payload ->> '$.id' order by sequence_id) = 1

),

withdrawn as (

    select distinct cast(aggregate_id as bigint) as order_id
    from outbox_events
    where event_type in ('order.cancelled', 'order.rejected', 'order.refused', 'order.approval_expired')

),

unnested as (

    select
        placed.order_id,
        placed.business_unit_code,
        placed.supplier_id,
        placed.contract_id,
        placed.placed_at,
        unnest(from_json(placed.lines_json, '[{"line_no": "BIGINT", "sku_id": "BIGINT",
            "quantity": "VARCHAR", "unit_price": "VARCHAR", "net_amount": "VARCHAR",
            "currency": "VARCHAR"}]')) as line
    from placed
    anti join withdrawn
        on withdrawn.order_id = placed.order_id

),

lines as (

    select
        order_id,
        line.line_no as line_no,
        business_unit_code,
        supplier_id,
        contract_id,
        placed_at,
        cast(placed_at as date) as placed_date,
        line.sku_id as sku_id,
        cast(line.quantity as decimal(18, 4)) as quantity,
        cast(line.unit_price as decimal(18, 4)) as unit_price,
        cast(line.net_amount as decimal(18, 4)) as net_amount,
        line.currency as currency
    from unnested

)

select
    -- keys
    cast(lines.order_id as varchar) || ':' || cast(lines.line_no as varchar) as order_line_id,
    cast(lines.order_id as bigint) as order_id,
    cast(lines.line_no as bigint) as line_no,
    -- data
    cast(lines.placed_at as timestamptz) as placed_at,
    cast(lines.placed_date as date) as placed_date,
    cast(lines.quantity as decimal(18, 4)) as quantity,
    cast(lines.unit_price as decimal(18, 4)) as unit_price,
    cast(lines.net_amount as decimal(18, 4)) as net_amount,
    cast(lines.currency as varchar) as currency,
    cast(fx_windows.rate as decimal(18, 8)) as fx_rate,
    {{ to_group_currency('lines.unit_price', 'fx_windows.rate') }} as unit_price_group,
    {{ to_group_currency('lines.net_amount', 'fx_windows.rate') }} as net_amount_group,
    -- foreign keys
    cast(lines.business_unit_code as varchar) as business_unit_code,
    cast(lines.supplier_id as varchar) as supplier_id,
    cast(lines.contract_id as bigint) as contract_id,
    cast(lines.sku_id as bigint) as sku_id,
    cast(skus.category_code as varchar) as category_code
from lines
left join fx_windows
    on {{ fx_rate_in_force('lines.currency', 'lines.placed_date') }}
left join skus
    on skus.sku_id = lines.sku_id
