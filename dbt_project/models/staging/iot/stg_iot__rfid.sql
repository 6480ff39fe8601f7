with

source as (

    select * from {{ source('iot', 'rfid') }}

),

renamed as (

    select
        -- keys
        cast(event_id as varchar) as event_id,
        -- data
        cast(kind as varchar) as kind,
        cast(warehouse_code as varchar) as warehouse_code,
        cast(gate as varchar) as gate,
        cast(sku as varchar) as sku,
        cast(direction as varchar) as direction,
        cast(quantity as decimal(18, 4)) as quantity,
        cast(recorded_at as timestamptz) as recorded_at,
        cast(event_date as date) as event_date,
        -- foreign keys
        cast(device_id as varchar) as device_id,
        cast(tag_id as varchar) as tag_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
