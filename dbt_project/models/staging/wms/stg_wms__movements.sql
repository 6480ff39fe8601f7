with

source as (

    select * from {{ source('wms', 'movements') }}

),

renamed as (

    select
        -- keys
        cast(movement_id as varchar) as movement_id,
        -- data
        cast(warehouse_code as varchar) as warehouse_code,
        cast(sku as varchar) as sku,
        cast(bin as varchar) as bin,
        cast(movement_type as varchar) as movement_type,
        cast(quantity as decimal(18, 4)) as quantity,
        cast(uom as varchar) as uom,
        cast(reference_type as varchar) as reference_type,
        cast(moved_at as timestamptz) as moved_at,
        cast(operator as varchar) as operator,
        cast(source_file as varchar) as source_file,
        cast(source_line as bigint) as source_line,
        cast(dropped_at as timestamptz) as dropped_at,
        -- foreign keys
        cast(reference_id as varchar) as reference_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
