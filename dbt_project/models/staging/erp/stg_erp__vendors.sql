with

source as (

    select * from {{ source('erp', 'vendors') }}

),

renamed as (

    select
        -- keys
        cast(vendor_id as varchar) as vendor_id,
        -- data
        cast(vendor_code as varchar) as vendor_code,
        cast(name as varchar) as vendor_name,
        cast(uscc as varchar) as uscc,
        cast(country as varchar) as country,
        cast(province as varchar) as province,
        cast(city as varchar) as city,
        cast(industry as varchar) as industry,
        cast(address as varchar) as address,
        cast(phone as varchar) as phone,
        cast(contact as varchar) as contact,
        cast(bank_name as varchar) as bank_name,
        cast(bank_account as varchar) as bank_account,
        cast(currency as varchar) as currency,
        cast(payment_terms_days as bigint) as payment_terms_days,
        cast(status as varchar) as status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(business_unit_code as varchar) as business_unit_code,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
