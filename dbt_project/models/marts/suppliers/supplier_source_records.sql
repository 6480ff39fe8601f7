{#-
    The supplier crosswalk: every supplier record of every source (ERP vendors of each
    business unit, the platform's approved suppliers) with the golden supplier it belongs
    to, how confident the match is and the evidence that linked it.
    Published to <lake>/gold/supplier_source_records (the next run's `previous`).
-#}
with

records as (

    select * from {{ ref('int_suppliers__source_records') }}

),

resolved as (

    select * from {{ ref('int_suppliers__resolved') }}

)

select
    -- keys
    cast(records.record_id as varchar) as record_id,
    cast(records.source_system as varchar) as source_system,
    cast(records.source_record_id as varchar) as source_record_id,
    cast(records.business_unit_code as varchar) as business_unit_code,
    -- the golden supplier
    cast(resolved.supplier_key as varchar) as supplier_key,
    cast(resolved.group_supplier_id as varchar) as group_supplier_id,
    -- the match
    cast(resolved.match_confidence as double) as match_confidence,
    cast(resolved.match_evidence as varchar) as match_evidence,
    cast(resolved.linked_record_id as varchar) as linked_record_id,
    cast(coalesce(resolved.founding_record_id = records.record_id, false) as boolean) as is_founding_record,
    -- the record as the source holds it
    cast(records.recorded_name as varchar) as recorded_name,
    cast(records.uscc as varchar) as recorded_uscc,
    cast(resolved.uscc_status as varchar) as uscc_status,
    cast(records.source_status as varchar) as source_status,
    cast(records.source_created_at as timestamptz) as source_created_at,
    cast(records.source_updated_at as timestamptz) as source_updated_at

from records
left join resolved
    on records.record_id = resolved.record_id
