with

source as (

    select * from {{ source('crm', 'contacts') }}

),

renamed as (

    select
        -- keys
        cast(contact_id as varchar) as contact_id,
        -- data
        cast(name as varchar) as contact_name,
        cast(title as varchar) as title,
        cast(phone as varchar) as phone,
        cast(email as varchar) as email,
        cast(is_primary as boolean) as is_primary,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(customer_id as varchar) as customer_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
