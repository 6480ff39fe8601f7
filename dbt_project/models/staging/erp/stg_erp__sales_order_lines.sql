with

source as (

    select * from {{ source('erp', 'sales_order_lines') }}

),

renamed as (

    select
        -- keys
        cast(sales_order_line_id as varchar) as sales_order_line_id,
        -- data
        cast(line_number as bigint) as line_number,
        cast(quantity as decimal(18, 4)) as quantity,
        cast(uom as varchar) as uom,
        cast(unit_price as decimal(18, 4)) as unit_price,
        cast(currency as varchar) as currency,
        cast(line_amount as decimal(18, 4)) as line_amount,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(sales_order_id as varchar) as sales_order_id,
        cast(material_id as varchar) as material_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
