with

source as (

    select * from {{ source('erp', 'vendor_returns') }}

),

renamed as (

    select
        -- keys
        cast(vendor_return_id as varchar) as vendor_return_id,
        -- data
        cast(quantity as decimal(18, 4)) as quantity,
        cast(uom as varchar) as uom,
        cast(reason as varchar) as reason,
        cast(credit_amount as decimal(18, 4)) as credit_amount,
        cast(currency as varchar) as currency,
        cast(returned_at as timestamptz) as returned_at,
        cast(credited_at as timestamptz) as credited_at,
        cast(status as varchar) as status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(goods_receipt_id as varchar) as goods_receipt_id,
        cast(quality_inspection_id as varchar) as quality_inspection_id,
        cast(vendor_id as varchar) as vendor_id,
        cast(material_id as varchar) as material_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
