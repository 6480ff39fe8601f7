with

source as (

    select * from {{ source('erp', 'sales_orders') }}

),

renamed as (

    select
        -- keys
        cast(sales_order_id as varchar) as sales_order_id,
        -- data
        cast(order_date as date) as order_date,
        cast(requested_delivery_date as date) as requested_delivery_date,
        cast(currency as varchar) as currency,
        cast(total_amount as decimal(18, 4)) as total_amount,
        cast(shipped_at as timestamptz) as shipped_at,
        cast(delivered_at as timestamptz) as delivered_at,
        cast(status as varchar) as status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(business_unit_code as varchar) as business_unit_code,
        cast(subsidiary_id as varchar) as subsidiary_id,
        cast(customer_id as varchar) as customer_id,
        cast(sales_rep_id as varchar) as sales_rep_id,
        cast(warehouse_id as varchar) as warehouse_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
