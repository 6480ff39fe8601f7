with

source as (

    select * from {{ source('iot', 'gps') }}

),

renamed as (

    select
        -- keys
        cast(event_id as varchar) as event_id,
        -- data
        cast(kind as varchar) as kind,
        cast(recorded_at as timestamptz) as recorded_at,
        cast(lat as double) as lat,
        cast(lon as double) as lon,
        cast(speed_kmh as double) as speed_kmh,
        cast(heading_deg as double) as heading_deg,
        cast(event_date as date) as event_date,
        -- foreign keys
        cast(device_id as varchar) as device_id,
        cast(shipment_id as varchar) as shipment_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
