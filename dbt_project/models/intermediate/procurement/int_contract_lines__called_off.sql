{#-
    Framework contract lines as they stand: the line as drawn up (contract.created: SKU,
    committed quantity, all-units price tiers, the contract's window, units and currency),
    whether and when the contract became binding (contract.signed: supplier signature and
    procurement approval), and what has been called off against it (contract.called_off
    minus contract.call_off_released, in quantity and at the call-off prices; remaining as
    the latest call-off event reported it, else the committed quantity).
    committed_unit_price is the contract's price at the tier the committed quantity reaches
    (all-units tiers: the highest tier whose min_quantity <= quantity; below the first
    tier, the first), valued in the group currency at the rate of the contract's first day.
-#}
with

outbox_events as (

    select * from {{ ref('stg_tx__outbox_events') }}

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

created as (

    select
        cast(payload ->> '$.id' as bigint) as contract_id,
        payload ->> '$.supplier_id' as supplier_id,
        payload ->> '$.currency' as currency,
        cast(payload ->> '$.valid_from' as date) as valid_from,
        cast(payload ->> '$.valid_to' as date) as valid_to,
        payload ->> '$.source.type' as source_type,
        payload ->> '$.source.ref' as source_ref,
        occurred_at as created_at,
        from_json(payload -> '$.business_units', '["VARCHAR"]') as business_unit_codes,
        payload -> '$.lines' as lines_json
    from outbox_events
    where event_type = 'contract.created'
    qualify row_number() over (partition by payload ->> '$.id' order by sequence_id) = 1

),

signed as (

    select
        cast(aggregate_id as bigint) as contract_id,
        min(occurred_at) as signed_at
    from outbox_events
    where event_type = 'contract.signed'
    group by 1

),

contract_lines as (

    select
        created.*,
        unnest(from_json(created.lines_json, '[{"id": "BIGINT", "line_no": "BIGINT",
            "sku_id": "BIGINT", "committed_quantity": "BIGINT",
            "price_tiers": [{"min_quantity": "VARCHAR", "unit_price": "VARCHAR"}]}]')) as line
    from created

),

tiers as (

    select
        line.id as contract_line_id,
        line.committed_quantity as committed_quantity,
        unnest(line.price_tiers) as tier
    from contract_lines

),

committed_price as (

    select
        contract_line_id,
        coalesce(
            arg_max(cast(tier.unit_price as decimal(18, 4)), cast(tier.min_quantity as decimal(18, 4)))
                filter (where cast(tier.min_quantity as decimal(18, 4)) <= committed_quantity),
            arg_min(cast(tier.unit_price as decimal(18, 4)), cast(tier.min_quantity as decimal(18, 4)))
        ) as committed_unit_price
    from tiers
    group by contract_line_id

),

call_off_lines as (

    select
        event_type,
        sequence_id,
        unnest(from_json(payload -> '$.lines', '[{"contract_line_id": "BIGINT", "quantity": "BIGINT",
            "unit_price": "VARCHAR", "remaining_quantity": "BIGINT"}]')) as line
    from outbox_events
    where event_type in ('contract.called_off', 'contract.call_off_released')

),

called_off as (

    select
        line.contract_line_id as contract_line_id,
        sum(case when event_type = 'contract.called_off' then line.quantity else -line.quantity end)
            as called_off_quantity,
        sum(case when event_type = 'contract.called_off' then 1 else -1 end
            * line.quantity * cast(line.unit_price as decimal(18, 4))) as called_off_value,
        arg_max(line.remaining_quantity, sequence_id) as remaining_quantity,
        count(distinct sequence_id) filter (where event_type = 'contract.called_off') as call_off_count
    from call_off_lines
    group by 1

)

select
    -- keys
    cast(contract_lines.line.id as bigint) as contract_line_id,
    -- data
    cast(contract_lines.line.line_no as bigint) as line_no,
    cast(contract_lines.currency as varchar) as currency,
    cast(contract_lines.valid_from as date) as valid_from,
    cast(contract_lines.valid_to as date) as valid_to,
    cast(contract_lines.source_type as varchar) as source_type,
    cast(contract_lines.source_ref as varchar) as source_ref,
    cast(contract_lines.created_at as timestamptz) as created_at,
    cast(signed.signed_at as timestamptz) as signed_at,
    signed.signed_at is not null as is_signed,
    cast(contract_lines.business_unit_codes as varchar[]) as business_unit_codes,
    cast(contract_lines.line.price_tiers as struct(min_quantity varchar, unit_price varchar)[]) as price_tiers,
    cast(contract_lines.line.committed_quantity as bigint) as committed_quantity,
    cast(coalesce(called_off.called_off_quantity, 0) as bigint) as called_off_quantity,
    cast(coalesce(called_off.remaining_quantity, contract_lines.line.committed_quantity) as bigint)
        as remaining_quantity,
    cast(coalesce(called_off.call_off_count, 0) as bigint) as call_off_count,
    cast(committed_price.committed_unit_price as decimal(18, 4)) as committed_unit_price,
    cast(fx_windows.rate as decimal(18, 8)) as fx_rate,
    {{ to_group_currency('committed_price.committed_unit_price', 'fx_windows.rate') }} as committed_unit_price_group,
    {{ to_group_currency('coalesce(called_off.called_off_value, 0)', 'fx_windows.rate') }} as called_off_value_group,
    -- foreign keys
    cast(contract_lines.contract_id as bigint) as contract_id,
    cast(contract_lines.supplier_id as varchar) as supplier_id,
    cast(contract_lines.line.sku_id as bigint) as sku_id
from contract_lines
left join signed
    on signed.contract_id = contract_lines.contract_id
left join committed_price
    on committed_price.contract_line_id = contract_lines.line.id
left join called_off
    on called_off.contract_line_id = contract_lines.line.id
left join fx_windows
    on {{ fx_rate_in_force('contract_lines.currency', 'contract_lines.valid_from') }}
