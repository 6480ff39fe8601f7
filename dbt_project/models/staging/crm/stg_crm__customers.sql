with

source as (

    select * from {{ source('crm', 'customers') }}

),

renamed as (

    select
        -- keys
        cast(customer_id as varchar) as customer_id,
        -- data
        cast(name as varchar) as customer_name,
        cast(customer_type as varchar) as customer_type,
        cast(region as varchar) as region,
        cast(province as varchar) as province,
        cast(city as varchar) as city,
        cast(country as varchar) as country,
        cast(tier as varchar) as tier,
        cast(credit_limit as decimal(18, 4)) as credit_limit,
        cast(currency as varchar) as currency,
        cast(status as varchar) as status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(business_unit_code as varchar) as business_unit_code,
        cast(subsidiary_id as varchar) as subsidiary_id,
        cast(owner_user_id as varchar) as owner_user_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
