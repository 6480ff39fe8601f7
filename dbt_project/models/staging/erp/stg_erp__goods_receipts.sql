with

source as (

    select * from {{ source('erp', 'goods_receipts') }}

),

renamed as (

    select
        -- keys
        cast(goods_receipt_id as varchar) as goods_receipt_id,
        -- data
        cast(received_at as timestamptz) as received_at,
        cast(received_date as date) as received_date,
        cast(quantity as decimal(18, 4)) as quantity,
        cast(uom as varchar) as uom,
        cast(received_by as varchar) as received_by,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(purchase_order_id as varchar) as purchase_order_id,
        cast(purchase_order_line_id as varchar) as purchase_order_line_id,
        cast(shipment_id as varchar) as shipment_id,
        cast(material_id as varchar) as material_id,
        cast(warehouse_id as varchar) as warehouse_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
