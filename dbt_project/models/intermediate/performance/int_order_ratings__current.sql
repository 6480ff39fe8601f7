{#-
    Buyers' ratings of delivered platform orders, as they stand now: the latest version of
    each order's rating from the transactional outbox (order.rated, then
    order.rating_changed while the buyer may still change it; latest by rating_version, then
    sequence_id), its platform supplier mapped to the golden supplier through the supplier
    crosswalk (int_suppliers__resolved, record 'tx:' || supplier id). The payload carries no
    rater and no comment. rating_month is the month of the delivery in the business time
    zone (delivered_at; rated_at when absent). Ratings of a supplier the crosswalk does not
    know (yet) keep a null supplier_key and reach no scorecard.
-#}
with

outbox_events as (

    select * from {{ ref('stg_tx__outbox_events') }}

),

resolved as (

    select * from {{ ref('int_suppliers__resolved') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

rating_events as (

    select
        cast(coalesce(payload ->> '$.order_id', aggregate_id) as bigint) as order_id,
        coalesce(payload ->> '$.supplier_id', supplier_id) as platform_supplier_id,
        coalesce(payload ->> '$.business_unit', business_unit_code) as business_unit_code,
        cast(payload ->> '$.delivery_score' as integer) as delivery_score,
        cast(payload ->> '$.quality_score' as integer) as quality_score,
        cast(payload ->> '$.service_score' as integer) as service_score,
        cast(payload ->> '$.rating_version' as integer) as rating_version,
        try_cast(payload ->> '$.delivered_at' as timestamptz) as delivered_at,
        coalesce(try_cast(payload ->> '$.rated_at' as timestamptz), occurred_at) as rated_at,
        coalesce(try_cast(payload ->> '$.updated_at' as timestamptz), occurred_at) as updated_at,
        event_id,
        sequence_id
    from outbox_events
    where event_type in ('order.rated', 'order.rating_changed')

),

latest as (

    select *
    from rating_events
    where order_id is not null
    qualify row_number() over (
        partition by order_id order by rating_version desc, sequence_id desc
    ) = 1

)

select
    -- keys
    cast(latest.order_id as bigint) as order_id,
    -- data
    cast(latest.delivery_score as integer) as delivery_score,
    cast(latest.quality_score as integer) as quality_score,
    cast(latest.service_score as integer) as service_score,
    cast(latest.rating_version as integer) as rating_version,
    cast(latest.delivered_at as timestamptz) as delivered_at,
    cast(latest.rated_at as timestamptz) as rated_at,
    cast(latest.updated_at as timestamptz) as updated_at,
    cast(date_trunc('month', timezone(parameters.business_timezone, coalesce(latest.delivered_at, latest.rated_at))) as date)
        as rating_month,
    cast(latest.event_id as varchar) as event_id,
    -- foreign keys
    cast(latest.platform_supplier_id as varchar) as platform_supplier_id,
    cast(resolved.supplier_key as varchar) as supplier_key,
    cast(latest.business_unit_code as varchar) as business_unit_code
from latest
cross join parameters
left join resolved
    on resolved.record_id = 'tx:' || latest.platform_supplier_id
