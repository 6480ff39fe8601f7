{#-
    Contract compliance per business unit and SKU category: platform spend on SKUs the unit
    had a framework contract in force for when it bought them (a signed contract covering
    the unit and the SKU, signed before the order and with the order day inside its
    window), split into spend under contract (call-offs: orders placed against a contract)
    and off-contract "maverick" spend (the same SKUs bought outside any contract). Price
    leakage is what maverick lines paid above the contract price: per line
    max(paid unit price - contract unit price at the line's quantity tier, 0) x quantity,
    both in the group currency at the order day's rate; with several contracts in force,
    the cheapest. Spend is the lines' net amount (after promotions) in the group currency.
-#}
with

order_lines as (

    select * from {{ ref('int_platform_order_lines__spend') }}

),

contract_lines as (

    select * from {{ ref('int_contract_lines__called_off') }}

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

contract_units as (

    select
        contract_line_id,
        contract_id,
        sku_id,
        currency,
        valid_from,
        valid_to,
        signed_at,
        price_tiers,
        unnest(business_unit_codes) as business_unit_code
    from contract_lines
    where is_signed

),

in_force as (

    select
        order_lines.order_line_id,
        contract_units.contract_line_id,
        contract_units.currency as contract_currency,
        order_lines.quantity,
        order_lines.placed_date,
        unnest(contract_units.price_tiers) as tier
    from order_lines
    inner join contract_units
        on contract_units.business_unit_code = order_lines.business_unit_code
        and contract_units.sku_id = order_lines.sku_id
        and contract_units.signed_at <= order_lines.placed_at
        and order_lines.placed_date between contract_units.valid_from and contract_units.valid_to

),

contract_price as (

    select
        order_line_id,
        contract_line_id,
        any_value(contract_currency) as contract_currency,
        any_value(placed_date) as placed_date,
        coalesce(
            arg_max(cast(tier.unit_price as decimal(18, 4)), cast(tier.min_quantity as decimal(18, 4)))
                filter (where cast(tier.min_quantity as decimal(18, 4)) <= quantity),
            arg_min(cast(tier.unit_price as decimal(18, 4)), cast(tier.min_quantity as decimal(18, 4)))
        ) as contract_unit_price
    from in_force
    group by 1, 2

),

cheapest as (

    select
        contract_price.order_line_id,
        min({{ to_group_currency('contract_price.contract_unit_price', 'fx_windows.rate') }})
            as contract_unit_price_group
    from contract_price
    left join fx_windows
        on {{ fx_rate_in_force('contract_price.contract_currency', 'contract_price.placed_date') }}
    group by 1

),

scoped as (

    select
        order_lines.business_unit_code,
        coalesce(order_lines.category_code, 'uncategorised') as category_code,
        order_lines.order_id,
        order_lines.contract_id is not null as is_on_contract,
        order_lines.net_amount_group,
        order_lines.quantity,
        greatest(order_lines.unit_price_group - cheapest.contract_unit_price_group, 0) as overpaid_unit
    from order_lines
    inner join cheapest
        on cheapest.order_line_id = order_lines.order_line_id

),

summed as (

    select
        business_unit_code,
        category_code,
        count(*) as in_scope_line_count,
        count(*) filter (where is_on_contract) as on_contract_line_count,
        count(*) filter (where not is_on_contract) as maverick_line_count,
        count(distinct order_id) filter (where not is_on_contract) as maverick_order_count,
        coalesce(sum(net_amount_group) filter (where is_on_contract), 0) as on_contract_spend,
        coalesce(sum(net_amount_group) filter (where not is_on_contract), 0) as maverick_spend,
        coalesce(sum(overpaid_unit * quantity) filter (where not is_on_contract), 0) as price_leakage,
        count(*) filter (where not is_on_contract and overpaid_unit > 0) as leakage_line_count
    from scoped
    group by 1, 2

)

select
    -- keys
    business_unit_code || ':' || category_code as contract_compliance_id,
    cast(business_unit_code as varchar) as business_unit_code,
    cast(category_code as varchar) as category_code,
    -- data
    cast(in_scope_line_count as bigint) as in_scope_line_count,
    cast(on_contract_line_count as bigint) as on_contract_line_count,
    cast(maverick_line_count as bigint) as maverick_line_count,
    cast(maverick_order_count as bigint) as maverick_order_count,
    cast(on_contract_spend as decimal(18, 4)) as on_contract_spend_group,
    cast(maverick_spend as decimal(18, 4)) as maverick_spend_group,
    cast(on_contract_spend + maverick_spend as decimal(18, 4)) as contracted_sku_spend_group,
    {{ safe_ratio('on_contract_spend', '(on_contract_spend + maverick_spend)', 6) }} as compliance_rate,
    cast(round(price_leakage, 4) as decimal(18, 4)) as price_leakage_group,
    cast(leakage_line_count as bigint) as leakage_line_count,
    '{{ var("group_currency") }}' as group_currency
from summed
