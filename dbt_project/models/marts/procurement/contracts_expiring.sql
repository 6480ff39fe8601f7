{#-
    Framework contracts about to run out with quantity left: signed contracts whose last day
    (valid_to) falls within var contract_expiry_horizon_days of the as-of date (the one
    contract_utilisation uses), not yet expired, with remaining quantity. Procurement
    either calls the remainder off or renegotiates; the served endpoint narrows the horizon
    with `within_days`.
-#}
with

utilisation as (

    select * from {{ ref('contract_utilisation') }}

)

select
    -- keys
    cast(contract_id as bigint) as contract_id,
    -- data
    cast(business_unit_codes as varchar) as business_unit_codes,
    cast(valid_from as date) as valid_from,
    cast(valid_to as date) as valid_to,
    cast(date_diff('day', as_of_date, valid_to) as bigint) as days_to_expiry,
    cast(committed_quantity as bigint) as committed_quantity,
    cast(remaining_quantity as bigint) as remaining_quantity,
    cast(remaining_value_group as decimal(18, 4)) as remaining_value_group,
    utilisation_rate,
    window_elapsed_rate,
    cast(as_of_date as date) as as_of_date,
    cast({{ var('contract_expiry_horizon_days') }} as bigint) as expiry_horizon_days,
    cast(group_currency as varchar) as group_currency,
    -- foreign keys
    cast(supplier_id as varchar) as supplier_id,
    cast(supplier_key as varchar) as supplier_key
from utilisation
where is_signed
    and remaining_quantity > 0
    and valid_to >= as_of_date
    and valid_to <= as_of_date + {{ var('contract_expiry_horizon_days') }}
