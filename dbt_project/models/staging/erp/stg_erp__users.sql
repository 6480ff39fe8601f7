with

source as (

    select * from {{ source('erp', 'users') }}

),

renamed as (

    select
        -- keys
        cast(user_id as varchar) as user_id,
        -- data
        cast(name as varchar) as user_name,
        cast(role as varchar) as role,
        cast(email as varchar) as email,
        cast(approval_limit as decimal(18, 4)) as approval_limit,
        cast(approval_currency as varchar) as approval_currency,
        cast(is_active as boolean) as is_active,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(business_unit_code as varchar) as business_unit_code,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
