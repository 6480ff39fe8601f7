{#-
    Supplier price offers unnested into their quantity tiers: a tier applies from its
    min_qty up to the next tier's min_qty (exclusive; the last tier has no upper bound). An
    order below the first tier's min_qty (under the MOQ) is priced at the first tier.
-#}
with

offers as (

    select * from {{ ref('stg_erp__supplier_offers') }}

),

unnested as (

    select
        supplier_offer_id,
        vendor_id,
        material_id,
        currency,
        valid_from,
        valid_to,
        moq,
        lead_time_days,
        unnest(from_json(price_tiers, '[{"min_qty": "DOUBLE", "unit_price": "DOUBLE"}]')) as tier,
        generate_subscripts(from_json(price_tiers, '[{"min_qty": "DOUBLE", "unit_price": "DOUBLE"}]'), 1)
            as tier_number
    from offers

),

tiers as (

    select
        supplier_offer_id,
        tier_number,
        vendor_id,
        material_id,
        currency,
        valid_from,
        valid_to,
        moq,
        lead_time_days,
        cast(tier.min_qty as decimal(18, 4)) as tier_min_quantity,
        cast(lead(tier.min_qty) over (
            partition by supplier_offer_id order by tier_number
        ) as decimal(18, 4)) as tier_max_quantity,
        cast(tier.unit_price as decimal(18, 4)) as tier_unit_price
    from unnested

)

select
    supplier_offer_id || ':' || cast(tier_number as varchar) as offer_tier_id,
    supplier_offer_id,
    tier_number,
    vendor_id,
    material_id,
    currency,
    valid_from,
    valid_to,
    moq,
    lead_time_days,
    tier_min_quantity,
    tier_max_quantity,
    tier_unit_price
from tiers
