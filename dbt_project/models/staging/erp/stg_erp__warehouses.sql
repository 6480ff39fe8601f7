with

source as (

    select * from {{ source('erp', 'warehouses') }}

),

renamed as (

    select
        -- keys
        cast(warehouse_id as varchar) as warehouse_id,
        -- data
        cast(warehouse_code as varchar) as warehouse_code,
        cast(name as varchar) as warehouse_name,
        cast(warehouse_type as varchar) as warehouse_type,
        cast(country as varchar) as country,
        cast(province as varchar) as province,
        cast(city as varchar) as city,
        cast(address as varchar) as address,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(has_wms as boolean) as has_wms,
        cast(has_rfid as boolean) as has_rfid,
        cast(has_agv as boolean) as has_agv,
        cast(is_hazmat as boolean) as is_hazmat,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(subsidiary_id as varchar) as subsidiary_id,
        cast(business_unit_code as varchar) as business_unit_code,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
