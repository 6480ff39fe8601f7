with

source as (

    select * from {{ source('erp', 'business_units') }}

),

renamed as (

    select
        -- keys
        cast(business_unit_id as varchar) as business_unit_id,
        -- data
        cast(name as varchar) as business_unit_name,
        cast(name_en as varchar) as business_unit_name_en,
        cast(erp_system as varchar) as erp_system,
        cast(approval_limit as decimal(18, 4)) as approval_limit,
        cast(currency as varchar) as currency,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(business_unit_code as varchar) as business_unit_code,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
