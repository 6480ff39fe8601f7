{#-
    Every supplier record the group holds, in the shape the matcher reads
    (models.entity_resolution.resolve_suppliers): the ERP vendors of every business unit,
    and the transactional platform's approved suppliers, from the latest `supplier.approved`
    outbox event of each (the event carries the company data the platform keeps).
    Text fields are trimmed; empty text is null.
-#}
with

vendors as (

    select * from {{ ref('stg_erp__vendors') }}

),

outbox_events as (

    select * from {{ ref('stg_tx__outbox_events') }}

),

erp_records as (

    select
        'erp:' || vendor_id as record_id,
        'erp' as source_system,
        vendor_id as source_record_id,
        business_unit_code,
        vendor_name as recorded_name,
        uscc,
        province,
        city,
        industry,
        address,
        phone,
        bank_account,
        status as source_status,
        created_at as source_created_at,
        updated_at as source_updated_at
    from vendors

),

approvals as (

    select
        coalesce(payload ->> '$.supplier_id', supplier_id, aggregate_id) as platform_supplier_id,
        payload,
        business_unit_code as event_business_unit_code,
        occurred_at,
        sequence_id
    from outbox_events
    where event_type = 'supplier.approved'

),

latest_approvals as (

    select *
    from approvals
    where platform_supplier_id is not null
    qualify row_number() over (
        partition by platform_supplier_id order by sequence_id desc
    ) = 1

),

platform_records as (

    select
        'tx:' || platform_supplier_id as record_id,
        'platform' as source_system,
        platform_supplier_id as source_record_id,
        coalesce(payload ->> '$.business_unit', event_business_unit_code) as business_unit_code,
        payload ->> '$.name' as recorded_name,
        coalesce(payload ->> '$.uscc', payload ->> '$.credit_code') as uscc,
        payload ->> '$.province' as province,
        payload ->> '$.city' as city,
        cast(null as varchar) as industry,
        payload ->> '$.address' as address,
        payload ->> '$.phone' as phone,
        payload ->> '$.bank_account' as bank_account,
        'approved' as source_status,
        occurred_at as source_created_at,
        coalesce(try_cast(payload ->> '$.approved_at' as timestamptz), occurred_at) as source_updated_at
    from latest_approvals

),

unioned as (

    select * from erp_records
    union all
    select * from platform_records

)

select
    -- keys
    cast(record_id as varchar) as record_id,
    cast(source_system as varchar) as source_system,
    cast(source_record_id as varchar) as source_record_id,
    -- data
    cast(nullif(trim(recorded_name), '') as varchar) as recorded_name,
    cast(nullif(trim(uscc), '') as varchar) as uscc,
    cast(nullif(trim(province), '') as varchar) as province,
    cast(nullif(trim(city), '') as varchar) as city,
    cast(nullif(trim(industry), '') as varchar) as industry,
    cast(nullif(trim(address), '') as varchar) as address,
    cast(nullif(trim(phone), '') as varchar) as phone,
    cast(nullif(trim(bank_account), '') as varchar) as bank_account,
    cast(source_status as varchar) as source_status,
    cast(source_created_at as timestamptz) as source_created_at,
    cast(source_updated_at as timestamptz) as source_updated_at,
    -- foreign keys
    cast(nullif(trim(business_unit_code), '') as varchar) as business_unit_code

from unioned
