{#-
    The platform catalogue's SKUs with their category, from the transactional outbox
    (sku.created carries the platform category id; category.created its code and name —
    the demo seeds the ERP material category id as the code). A SKU whose category event is
    missing keeps a null category_code.
-#}
with

outbox_events as (

    select * from {{ ref('stg_tx__outbox_events') }}

),

skus as (

    select
        cast(payload ->> '$.id' as bigint) as sku_id,
        payload ->> '$.code' as sku_code,
        payload ->> '$.name' as sku_name,
        cast(payload ->> '$.category_id' as bigint) as category_id
    from outbox_events
    where event_type = 'sku.created'
    qualify row_number() over (partition by payload ->> '$.id' order by sequence_id desc) = 1

),

categories as (

    select
        cast(payload ->> '$.category_id' as bigint) as category_id,
        payload ->> '$.code' as category_code,
        payload ->> '$.name' as category_name
    from outbox_events
    where event_type = 'category.created'
    qualify row_number() over (partition by payload ->> '$.category_id' order by sequence_id desc) = 1

)

select
    cast(skus.sku_id as bigint) as sku_id,
    cast(skus.sku_code as varchar) as sku_code,
    cast(skus.sku_name as varchar) as sku_name,
    cast(skus.category_id as bigint) as category_id,
    cast(categories.category_code as varchar) as category_code,
    cast(categories.category_name as varchar) as category_name
from skus
left join categories
    on categories.category_id = skus.category_id
