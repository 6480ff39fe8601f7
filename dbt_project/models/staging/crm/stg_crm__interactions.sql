with

source as (

    select * from {{ source('crm', 'interactions') }}

),

renamed as (

    select
        -- keys
        cast(interaction_id as varchar) as interaction_id,
        -- data
        cast(channel as varchar) as channel,
        cast(occurred_at as timestamptz) as occurred_at,
        cast(subject as varchar) as subject,
        cast(outcome as varchar) as outcome,
        cast(created_at as timestamptz) as created_at,
        cast(updated_at as timestamptz) as updated_at,
        -- foreign keys
        cast(customer_id as varchar) as customer_id,
        cast(contact_id as varchar) as contact_id,
        cast(user_id as varchar) as user_id,
        -- lineage
        {{ bronze_lineage_columns() }}

    from source

)

select * from renamed
