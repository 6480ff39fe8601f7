with

source as (

    select * from {{ source('wms', 'stock_snapshots') }}

),

renamed as (

    select
        -- keys
        cast(snapshot_date as date) as snapshot_date,
        cast(warehouse_code as varchar) as warehouse_code,
        cast(sku as varchar) as sku,
        cast(bin as varchar) as bin,
        -- data
        cast(quantity_on_hand as decimal(18, 4)) as quantity_on_hand,
        cast(uom as varchar) as uom,
        cast(source_file as varchar) as source_file,
        cast(source_line as bigint) as source_line,
        cast(dropped_at as timestamptz) as dropped_at,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
