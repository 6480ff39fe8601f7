with

source as (

    select * from {{ source('iot', 'agv') }}

),

renamed as (

    select
        -- keys
        cast(event_id as varchar) as event_id,
        -- data
        cast(kind as varchar) as kind,
        cast(warehouse_code as varchar) as warehouse_code,
        cast(task_type as varchar) as task_type,
        cast(from_location as varchar) as from_location,
        cast(to_location as varchar) as to_location,
        cast(sku as varchar) as sku,
        cast(started_at as timestamptz) as started_at,
        cast(recorded_at as timestamptz) as recorded_at,
        cast(status as varchar) as status,
        cast(battery_pct as bigint) as battery_pct,
        cast(event_date as date) as event_date,
        -- foreign keys
        cast(device_id as varchar) as device_id,
        cast(task_id as varchar) as task_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
