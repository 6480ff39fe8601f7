with

source as (

    select * from {{ source('erp', 'shipments') }}

),

renamed as (

    select
        -- keys
        cast(shipment_id as varchar) as shipment_id,
        -- data
        cast(asn_number as varchar) as asn_number,
        cast(shipped_at as timestamptz) as shipped_at,
        cast(promised_date as date) as promised_date,
        cast(expected_arrival_at as timestamptz) as expected_arrival_at,
        cast(delivered_at as timestamptz) as delivered_at,
        cast(carrier as varchar) as carrier,
        cast(transport_mode as varchar) as transport_mode,
        cast(origin_city as varchar) as origin_city,
        cast(origin_latitude as double) as origin_latitude,
        cast(origin_longitude as double) as origin_longitude,
        cast(status as varchar) as status,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(purchase_order_id as varchar) as purchase_order_id,
        cast(vendor_id as varchar) as vendor_id,
        cast(tracking_device_id as varchar) as tracking_device_id,
        cast(destination_warehouse_id as varchar) as destination_warehouse_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
