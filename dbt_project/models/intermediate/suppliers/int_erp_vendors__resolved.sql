{#-
    The ERP vendor -> golden supplier crosswalk: every vendor record of every business
    unit's ERP with the golden supplier it was resolved to. The one place the performance
    models map a vendor_id (what ERP documents carry) to a supplier_key; built from the
    resolution itself, not from the supplier_source_records mart, so no intermediate model
    depends on a mart.
-#}
with

records as (

    select * from {{ ref('int_suppliers__source_records') }}
    where source_system = 'erp'

),

resolved as (

    select * from {{ ref('int_suppliers__resolved') }}

)

select
    -- keys
    cast(records.source_record_id as varchar) as vendor_id,
    -- the golden supplier
    cast(resolved.supplier_key as varchar) as supplier_key,
    -- foreign keys
    cast(records.business_unit_code as varchar) as business_unit_code

from records
left join resolved
    on records.record_id = resolved.record_id
