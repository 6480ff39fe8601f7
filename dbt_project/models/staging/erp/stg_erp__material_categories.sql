with

source as (

    select * from {{ source('erp', 'material_categories') }}

),

renamed as (

    select
        -- keys
        cast(category_id as varchar) as category_id,
        -- data
        cast(name as varchar) as category_name,
        cast(name_en as varchar) as category_name_en,
        cast(sector as varchar) as sector,
        cast(default_uom as varchar) as default_uom,
        cast(attribute_template as json) as attribute_template,
        cast(inspection_required as boolean) as is_inspection_required,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
