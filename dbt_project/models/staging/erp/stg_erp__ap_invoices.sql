with

source as (

    select * from {{ source('erp', 'ap_invoices') }}

),

renamed as (

    select
        -- keys
        cast(ap_invoice_id as varchar) as ap_invoice_id,
        -- data
        cast(invoice_number as varchar) as invoice_number,
        cast(invoice_date as date) as invoice_date,
        cast(received_at as timestamptz) as received_at,
        cast(due_date as date) as due_date,
        cast(net_amount as decimal(18, 4)) as net_amount,
        cast(tax_rate as decimal(6, 4)) as tax_rate,
        cast(tax_amount as decimal(18, 4)) as tax_amount,
        cast(gross_amount as decimal(18, 4)) as gross_amount,
        cast(currency as varchar) as currency,
        cast(approved_at as timestamptz) as approved_at,
        cast(approved_by as varchar) as approved_by,
        cast(status as varchar) as status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(vendor_id as varchar) as vendor_id,
        cast(purchase_order_id as varchar) as purchase_order_id,
        cast(shipment_id as varchar) as shipment_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
