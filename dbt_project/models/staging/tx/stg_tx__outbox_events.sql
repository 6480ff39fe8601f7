with

source as (

    select * from {{ source('tx', 'outbox_events') }}

),

renamed as (

    select
        -- keys
        cast(event_id as varchar) as event_id,
        -- data
        cast(sequence_id as bigint) as sequence_id,
        cast(event_type as varchar) as event_type,
        cast(aggregate_type as varchar) as aggregate_type,
        cast(payload as varchar) as payload,
        cast(occurred_at as timestamptz) as occurred_at,
        cast(schema_version as bigint) as schema_version,
        -- foreign keys
        cast(aggregate_id as varchar) as aggregate_id,
        cast(supplier_id as varchar) as supplier_id,
        cast(business_unit as varchar) as business_unit_code,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
