with

source as (

    select * from {{ source('erp', 'vendor_bank_accounts') }}

),

renamed as (

    select
        -- keys
        cast(vendor_bank_account_id as varchar) as vendor_bank_account_id,
        -- data
        cast(bank_name as varchar) as bank_name,
        cast(bank_account as varchar) as bank_account,
        cast(changed_at as timestamptz) as changed_at,
        cast(changed_by as varchar) as changed_by,
        cast(valid_to as timestamptz) as valid_to,
        cast(is_current as boolean) as is_current,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(vendor_id as varchar) as vendor_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
