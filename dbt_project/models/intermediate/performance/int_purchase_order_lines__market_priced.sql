{#-
    What the market quoted for each purchase order line: for every vendor with an offer for
    the line's SKU valid on the order date (the latest such offer per vendor), the tier
    price at the line's quantity, converted to the group currency at the order date's rate.
    The market median is the median over those vendors (the ordering vendor included); the
    price index is the price paid over that median (1 = paid the market median). Lines
    with no valid quote have no index. Valid, not cancelled lines only.
-#}
with

order_lines as (

    select * from {{ ref('int_purchase_order_lines__delivered') }}
    where not is_excluded
        and not is_cancelled

),

tiers as (

    select * from {{ ref('int_supplier_offers__tiers') }}

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

quotes as (

    select
        order_lines.purchase_order_line_id,
        tiers.vendor_id as quoting_vendor_id,
        tiers.supplier_offer_id,
        tiers.valid_from,
        {{ to_group_currency('tiers.tier_unit_price', 'fx_windows.rate') }} as quoted_unit_price_group
    from order_lines
    inner join tiers
        on order_lines.material_id = tiers.material_id
        and order_lines.order_date between tiers.valid_from and tiers.valid_to
        and (order_lines.quantity >= tiers.tier_min_quantity or tiers.tier_number = 1)
        and (tiers.tier_max_quantity is null or order_lines.quantity < tiers.tier_max_quantity)
    inner join fx_windows
        on {{ fx_rate_in_force('tiers.currency', 'order_lines.order_date') }}
    qualify row_number() over (
        partition by order_lines.purchase_order_line_id, tiers.vendor_id
        order by tiers.valid_from desc, tiers.supplier_offer_id desc
    ) = 1

),

market as (

    select
        quotes.purchase_order_line_id,
        count(*) as market_quote_count,
        cast(median(quotes.quoted_unit_price_group) as decimal(18, 4)) as market_median_price_group,
        cast(min(quotes.quoted_unit_price_group) as decimal(18, 4)) as market_best_price_group,
        cast(max(quotes.quoted_unit_price_group) filter (
            where quotes.quoting_vendor_id = order_lines.vendor_id
        ) as decimal(18, 4)) as own_quoted_price_group
    from quotes
    inner join order_lines
        on quotes.purchase_order_line_id = order_lines.purchase_order_line_id
    group by quotes.purchase_order_line_id

)

select
    order_lines.purchase_order_line_id,
    order_lines.vendor_id,
    order_lines.business_unit_code,
    order_lines.material_id,
    order_lines.category_id,
    order_lines.order_date,
    order_lines.order_month,
    order_lines.quantity,
    order_lines.unit_price_group,
    order_lines.line_amount_group,
    coalesce(market.market_quote_count, 0) as market_quote_count,
    market.market_median_price_group,
    market.market_best_price_group,
    market.own_quoted_price_group,
    {{ safe_ratio('order_lines.unit_price_group', 'market.market_median_price_group') }} as price_index
from order_lines
left join market
    on order_lines.purchase_order_line_id = market.purchase_order_line_id
