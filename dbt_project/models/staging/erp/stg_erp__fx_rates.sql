with

source as (

    select * from {{ source('erp', 'fx_rates') }}

),

renamed as (

    select
        -- keys
        cast(fx_rate_id as varchar) as fx_rate_id,
        -- data
        cast(rate_date as date) as rate_date,
        cast(from_currency as varchar) as from_currency,
        cast(to_currency as varchar) as to_currency,
        cast(rate as decimal(18, 8)) as rate,
        cast(source as varchar) as rate_source,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
