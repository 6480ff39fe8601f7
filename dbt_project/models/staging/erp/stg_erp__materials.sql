with

source as (

    select * from {{ source('erp', 'materials') }}

),

renamed as (

    select
        -- keys
        cast(material_id as varchar) as material_id,
        -- data
        cast(sku as varchar) as sku,
        cast(name as varchar) as material_name,
        cast(uom as varchar) as uom,
        cast(attributes as json) as attributes,
        cast(material_type as varchar) as material_type,
        cast(standard_price as decimal(18, 4)) as standard_price,
        cast(currency as varchar) as currency,
        cast(is_active as boolean) as is_active,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(category_id as varchar) as category_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
