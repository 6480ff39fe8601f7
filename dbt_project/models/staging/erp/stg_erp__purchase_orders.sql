with

source as (

    select * from {{ source('erp', 'purchase_orders') }}

),

renamed as (

    select
        -- keys
        cast(purchase_order_id as varchar) as purchase_order_id,
        -- data
        cast(order_date as date) as order_date,
        cast(currency as varchar) as currency,
        cast(total_amount as decimal(18, 4)) as total_amount,
        cast(promised_date as date) as promised_date,
        cast(approval_level as bigint) as approval_level,
        cast(approval_limit as decimal(18, 4)) as approval_limit,
        cast(approved_by as varchar) as approved_by,
        cast(approved_at as timestamptz) as approved_at,
        cast(acknowledged_at as timestamptz) as acknowledged_at,
        cast(payment_terms_days as bigint) as payment_terms_days,
        cast(incoterm as varchar) as incoterm,
        cast(status as varchar) as status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(business_unit_code as varchar) as business_unit_code,
        cast(subsidiary_id as varchar) as subsidiary_id,
        cast(vendor_id as varchar) as vendor_id,
        cast(buyer_id as varchar) as buyer_id,
        cast(warehouse_id as varchar) as warehouse_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
