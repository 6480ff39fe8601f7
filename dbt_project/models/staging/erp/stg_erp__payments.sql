with

source as (

    select * from {{ source('erp', 'payments') }}

),

renamed as (

    select
        -- keys
        cast(payment_id as varchar) as payment_id,
        -- data
        cast(paid_at as timestamptz) as paid_at,
        cast(payment_date as date) as payment_date,
        cast(amount as decimal(18, 4)) as amount,
        cast(currency as varchar) as currency,
        cast(bank_name as varchar) as bank_name,
        cast(bank_account as varchar) as bank_account,
        cast(payment_method as varchar) as payment_method,
        cast(paid_by as varchar) as paid_by,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(ap_invoice_id as varchar) as ap_invoice_id,
        cast(vendor_id as varchar) as vendor_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
