with

source as (

    select * from {{ source('erp', 'subsidiaries') }}

),

renamed as (

    select
        -- keys
        cast(subsidiary_id as varchar) as subsidiary_id,
        -- data
        cast(name as varchar) as subsidiary_name,
        cast(name_en as varchar) as subsidiary_name_en,
        cast(uscc as varchar) as uscc,
        cast(country as varchar) as country,
        cast(province as varchar) as province,
        cast(city as varchar) as city,
        cast(currency as varchar) as currency,
        cast(is_overseas as boolean) as is_overseas,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(business_unit_code as varchar) as business_unit_code,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
