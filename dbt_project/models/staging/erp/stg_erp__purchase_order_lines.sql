with

source as (

    select * from {{ source('erp', 'purchase_order_lines') }}

),

renamed as (

    select
        -- keys
        cast(purchase_order_line_id as varchar) as purchase_order_line_id,
        -- data
        cast(line_number as bigint) as line_number,
        cast(quantity as decimal(18, 4)) as quantity,
        cast(uom as varchar) as uom,
        cast(unit_price as decimal(18, 4)) as unit_price,
        cast(currency as varchar) as currency,
        cast(line_amount as decimal(18, 4)) as line_amount,
        cast(promised_date as date) as promised_date,
        cast(price_overridden_by as varchar) as price_overridden_by,
        cast(price_overridden_at as timestamptz) as price_overridden_at,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(purchase_order_id as varchar) as purchase_order_id,
        cast(material_id as varchar) as material_id,
        cast(supplier_offer_id as varchar) as supplier_offer_id,
        cast(warehouse_id as varchar) as warehouse_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
