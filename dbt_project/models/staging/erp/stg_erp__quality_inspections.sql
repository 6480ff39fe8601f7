with

source as (

    select * from {{ source('erp', 'quality_inspections') }}

),

renamed as (

    select
        -- keys
        cast(quality_inspection_id as varchar) as quality_inspection_id,
        -- data
        cast(inspected_at as timestamptz) as inspected_at,
        cast(sample_size as bigint) as sample_size,
        cast(defects_found as bigint) as defects_found,
        cast(result as varchar) as inspection_result,
        cast(defect_type as varchar) as defect_type,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(goods_receipt_id as varchar) as goods_receipt_id,
        cast(inspector_id as varchar) as inspector_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
