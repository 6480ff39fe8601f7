with

source as (

    select * from {{ source('erp', 'supplier_offers') }}

),

renamed as (

    select
        -- keys
        cast(supplier_offer_id as varchar) as supplier_offer_id,
        -- data
        cast(currency as varchar) as currency,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
        cast(moq as decimal(18, 4)) as moq,
        cast(order_multiple as decimal(18, 4)) as order_multiple,
        cast(price_tiers as json) as price_tiers,
        cast(lead_time_days as bigint) as lead_time_days,
        cast(incoterm as varchar) as incoterm,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(vendor_id as varchar) as vendor_id,
        cast(material_id as varchar) as material_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
