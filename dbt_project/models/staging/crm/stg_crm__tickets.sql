with

source as (

    select * from {{ source('crm', 'tickets') }}

),

renamed as (

    select
        -- keys
        cast(ticket_id as varchar) as ticket_id,
        -- data
        cast(category as varchar) as category,
        cast(severity as varchar) as severity,
        cast(status as varchar) as status,
        cast(subject as varchar) as subject,
        cast(opened_at as timestamptz) as opened_at,
        cast(first_response_at as timestamptz) as first_response_at,
        cast(resolved_at as timestamptz) as resolved_at,
        cast(assigned_to as varchar) as assigned_to,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(customer_id as varchar) as customer_id,
        cast(sales_order_id as varchar) as sales_order_id,
        cast(material_id as varchar) as material_id,
        cast(root_cause_vendor_id as varchar) as root_cause_vendor_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
