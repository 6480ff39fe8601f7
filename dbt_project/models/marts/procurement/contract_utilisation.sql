{#-
    Framework contract utilisation: per contract, what its units have called off against
    what was committed (int_contract_lines__called_off), in quantity and in value (committed
    at the committed quantity's tier price, called off at the call-off prices; group
    currency at the rate of the contract's first day), and how much of its window has passed
    by the lake's as-of date (var as_of_date; empty = the day of the latest outbox event),
    so a contract called off more slowly than its time runs shows
    utilisation_rate < window_elapsed_rate.
-#}
with

contract_lines as (

    select * from {{ ref('int_contract_lines__called_off') }}

),

resolved as (

    select * from {{ ref('int_suppliers__resolved') }}

),

as_of as (

    select coalesce(
        nullif('{{ var("as_of_date") }}', '')::date,
        (select max(cast(occurred_at as date)) from {{ ref('stg_tx__outbox_events') }})
    ) as as_of_date

),

contracts as (

    select
        contract_id,
        any_value(supplier_id) as supplier_id,
        any_value(currency) as currency,
        any_value(array_to_string(list_sort(business_unit_codes), ',')) as business_unit_codes,
        any_value(valid_from) as valid_from,
        any_value(valid_to) as valid_to,
        any_value(source_type) as source_type,
        any_value(source_ref) as source_ref,
        any_value(signed_at) as signed_at,
        bool_or(is_signed) as is_signed,
        count(*) as line_count,
        sum(committed_quantity) as committed_quantity,
        sum(called_off_quantity) as called_off_quantity,
        sum(remaining_quantity) as remaining_quantity,
        sum(call_off_count) as call_off_line_count,
        sum(committed_quantity * committed_unit_price_group) as committed_value,
        sum(called_off_value_group) as called_off_value,
        sum(remaining_quantity * committed_unit_price_group) as remaining_value
    from contract_lines
    group by contract_id

)

select
    -- keys
    cast(contracts.contract_id as bigint) as contract_id,
    -- data
    cast(contracts.business_unit_codes as varchar) as business_unit_codes,
    cast(contracts.currency as varchar) as currency,
    cast(contracts.valid_from as date) as valid_from,
    cast(contracts.valid_to as date) as valid_to,
    cast(contracts.source_type as varchar) as source_type,
    cast(contracts.source_ref as varchar) as source_ref,
    cast(contracts.is_signed as boolean) as is_signed,
    cast(contracts.signed_at as timestamptz) as signed_at,
    cast(contracts.line_count as bigint) as line_count,
    cast(contracts.committed_quantity as bigint) as committed_quantity,
    cast(contracts.called_off_quantity as bigint) as called_off_quantity,
    cast(contracts.remaining_quantity as bigint) as remaining_quantity,
    cast(contracts.call_off_line_count as bigint) as call_off_line_count,
    {{ safe_ratio('contracts.called_off_quantity', 'contracts.committed_quantity', 6) }} as utilisation_rate,
    cast(round(contracts.committed_value, 4) as decimal(18, 4)) as committed_value_group,
    cast(round(contracts.called_off_value, 4) as decimal(18, 4)) as called_off_value_group,
    cast(round(contracts.remaining_value, 4) as decimal(18, 4)) as remaining_value_group,
    cast(as_of.as_of_date as date) as as_of_date,
    round(least(greatest(
        {{ safe_ratio('(date_diff(\'day\', contracts.valid_from, as_of.as_of_date) + 1)',
                      '(date_diff(\'day\', contracts.valid_from, contracts.valid_to) + 1)') }}, 0), 1), 6)
        as window_elapsed_rate,
    '{{ var("group_currency") }}' as group_currency,
    -- foreign keys
    cast(contracts.supplier_id as varchar) as supplier_id,
    cast(resolved.supplier_key as varchar) as supplier_key
from contracts
cross join as_of
left join resolved
    on resolved.record_id = 'tx:' || contracts.supplier_id
