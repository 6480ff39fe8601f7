with

source as (

    select * from {{ source('iot', 'temperature') }}

),

renamed as (

    select
        -- keys
        cast(event_id as varchar) as event_id,
        -- data
        cast(kind as varchar) as kind,
        cast(warehouse_code as varchar) as warehouse_code,
        cast(recorded_at as timestamptz) as recorded_at,
        cast(temperature_c as double) as temperature_c,
        cast(humidity_pct as double) as humidity_pct,
        cast(event_date as date) as event_date,
        -- foreign keys
        cast(device_id as varchar) as device_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
