{#-
    Price history per golden supplier, SKU and month: what the group paid (quantity-
    weighted, group currency at each order date's rate), what the supplier quoted (its offer
    in force at month end: tiers in the quote currency, base and best tier in the group
    currency at the month-end rate; the lowest base among the supplier's vendor records),
    the median for the same SKU across the category's suppliers (paid and quoted), the
    supplier's deviation from it, and the trend. Rows for every month up to the latest
    complete month in which the supplier bought or quoted the SKU.
-#}
with

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

order_lines as (

    select * from {{ ref('int_purchase_order_lines__delivered') }}
    where not is_excluded
        and not is_cancelled

),

offers as (

    select * from {{ ref('stg_erp__supplier_offers') }}

),

tiers as (

    select
        supplier_offer_id,
        min(tier_unit_price) filter (where tier_number = 1) as base_price,
        min(tier_unit_price) as best_price,
        count(*) as tier_count
    from {{ ref('int_supplier_offers__tiers') }}
    group by supplier_offer_id

),

materials as (

    select * from {{ ref('stg_erp__materials') }}

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

crosswalk as (

    select * from {{ ref('int_erp_vendors__resolved') }}

),

months as (

    select
        cast(month_start as date) as price_month,
        cast(month_start + interval 1 month - interval 1 day as date) as month_end_date
    from parameters
    cross join generate_series(
        (
            select cast(least(
                (select min(order_month) from order_lines),
                (select min(date_trunc('month', valid_from)) from offers)
            ) as timestamp)
        ),
        cast(parameters.latest_complete_month as timestamp),
        interval 1 month
    ) as series(month_start)

),

purchases as (

    select
        crosswalk.supplier_key,
        order_lines.material_id,
        order_lines.order_month as price_month,
        count(*) as purchase_line_count,
        sum(order_lines.quantity) as purchased_quantity,
        sum(order_lines.line_amount_group) as spend_group
    from order_lines
    inner join crosswalk
        on order_lines.vendor_id = crosswalk.vendor_id
    group by all

),

sku_paid_medians as (

    select
        material_id,
        order_month as price_month,
        median(unit_price_group) as sku_median_price_paid_group
    from order_lines
    group by material_id, order_month

),

vendor_quotes as (

    select
        months.price_month,
        offers.vendor_id,
        offers.material_id,
        offers.supplier_offer_id,
        offers.currency as quote_currency,
        cast(offers.price_tiers as varchar) as quoted_tiers,
        offers.moq,
        offers.lead_time_days,
        tiers.base_price,
        {{ to_group_currency('tiers.base_price', 'fx_windows.rate') }}
            as base_price_group,
        {{ to_group_currency('tiers.best_price', 'fx_windows.rate') }}
            as best_price_group
    from offers
    inner join months
        on offers.valid_from <= months.month_end_date
        and offers.valid_to >= months.price_month
    inner join tiers
        on offers.supplier_offer_id = tiers.supplier_offer_id
    inner join fx_windows
        on {{ fx_rate_in_force('offers.currency', 'months.month_end_date') }}
    qualify row_number() over (
        partition by months.price_month, offers.vendor_id, offers.material_id
        order by offers.valid_from desc, offers.supplier_offer_id desc
    ) = 1

),

sku_quote_medians as (

    select
        material_id,
        price_month,
        median(base_price_group) as sku_median_quoted_price_group
    from vendor_quotes
    group by material_id, price_month

),

supplier_quotes as (

    select
        crosswalk.supplier_key,
        vendor_quotes.*,
        count(*) over (
            partition by crosswalk.supplier_key, vendor_quotes.material_id, vendor_quotes.price_month
        ) as quoting_vendor_record_count
    from vendor_quotes
    inner join crosswalk
        on vendor_quotes.vendor_id = crosswalk.vendor_id
    qualify row_number() over (
        partition by crosswalk.supplier_key, vendor_quotes.material_id, vendor_quotes.price_month
        order by vendor_quotes.base_price_group, vendor_quotes.supplier_offer_id
    ) = 1

),

combined as (

    select
        coalesce(purchases.supplier_key, supplier_quotes.supplier_key) as supplier_key,
        coalesce(purchases.material_id, supplier_quotes.material_id) as material_id,
        coalesce(purchases.price_month, supplier_quotes.price_month) as price_month,
        purchases.purchase_line_count,
        purchases.purchased_quantity,
        purchases.spend_group,
        supplier_quotes.supplier_offer_id,
        supplier_quotes.quote_currency,
        supplier_quotes.quoted_tiers,
        supplier_quotes.moq,
        supplier_quotes.lead_time_days,
        supplier_quotes.base_price,
        supplier_quotes.base_price_group,
        supplier_quotes.best_price_group,
        supplier_quotes.quoting_vendor_record_count
    from purchases
    full outer join supplier_quotes
        on purchases.supplier_key = supplier_quotes.supplier_key
        and purchases.material_id = supplier_quotes.material_id
        and purchases.price_month = supplier_quotes.price_month
    where coalesce(purchases.price_month, supplier_quotes.price_month) <= (select latest_complete_month from parameters)

),

priced as (

    select
        combined.*,
        cast(combined.spend_group / nullif(combined.purchased_quantity, 0) as decimal(18, 4))
            as avg_price_paid_group,
        date_diff('month', date '2000-01-01', combined.price_month) as month_index,
        sku_paid_medians.sku_median_price_paid_group,
        sku_quote_medians.sku_median_quoted_price_group
    from combined
    left join sku_paid_medians
        on combined.material_id = sku_paid_medians.material_id
        and combined.price_month = sku_paid_medians.price_month
    left join sku_quote_medians
        on combined.material_id = sku_quote_medians.material_id
        and combined.price_month = sku_quote_medians.price_month

),

trended as (

    select
        *,
        lag(avg_price_paid_group) over paid_months as previous_price_paid_group,
        lag(price_month) over paid_months as previous_paid_month,
        regr_slope(avg_price_paid_group, month_index) over trailing_3m as price_paid_slope_3m,
        regr_count(avg_price_paid_group, month_index) over trailing_3m as price_paid_points_3m,
        avg(avg_price_paid_group) over trailing_3m as price_paid_avg_3m,
        max(base_price_group) over (
            partition by supplier_key, material_id order by month_index range between 3 preceding and 3 preceding
        ) as base_price_group_3m_ago
    from priced
    window
        trailing_3m as (
            partition by supplier_key, material_id order by month_index range between 2 preceding and current row
        ),
        paid_months as (
            partition by supplier_key, material_id
            order by case when avg_price_paid_group is null then 1 else 0 end, month_index
        )

)

select
    -- keys
    trended.supplier_key || ':' || trended.material_id || ':' || strftime(trended.price_month, '%Y-%m')
        as supplier_price_month_id,
    trended.supplier_key,
    trended.material_id,
    materials.sku,
    materials.material_name,
    materials.category_id,
    trended.price_month,
    materials.uom,
    cast('{{ var("group_currency") }}' as varchar) as currency,
    -- paid
    cast(coalesce(trended.purchase_line_count, 0) as integer) as purchase_line_count,
    cast(trended.purchased_quantity as decimal(18, 4)) as purchased_quantity,
    cast(trended.spend_group as decimal(18, 4)) as spend_group,
    trended.avg_price_paid_group,
    cast(trended.sku_median_price_paid_group as decimal(18, 4)) as sku_median_price_paid_group,
    {{ percent_change('trended.avg_price_paid_group', 'trended.sku_median_price_paid_group') }}
        as price_paid_vs_median_pct,
    -- quoted
    trended.supplier_offer_id,
    trended.quote_currency,
    trended.quoted_tiers,
    cast(trended.moq as decimal(18, 4)) as quoted_moq,
    cast(trended.lead_time_days as integer) as quoted_lead_time_days,
    cast(trended.base_price as decimal(18, 4)) as quoted_base_price,
    trended.base_price_group as quoted_base_price_group,
    trended.best_price_group as quoted_best_price_group,
    cast(coalesce(trended.quoting_vendor_record_count, 0) as integer) as quoting_vendor_record_count,
    cast(trended.sku_median_quoted_price_group as decimal(18, 4)) as sku_median_quoted_price_group,
    {{ percent_change('trended.base_price_group', 'trended.sku_median_quoted_price_group') }}
        as quote_vs_median_pct,
    -- trend
    case when trended.avg_price_paid_group is not null then trended.previous_paid_month end
        as previous_paid_month,
    case
        when trended.avg_price_paid_group is not null
            then {{ percent_change('trended.avg_price_paid_group', 'trended.previous_price_paid_group') }}
    end as price_paid_change_pct,
    case
        when trended.avg_price_paid_group is not null and trended.price_paid_points_3m >= 2
            then {{ safe_ratio('100.0 * trended.price_paid_slope_3m', 'trended.price_paid_avg_3m', 4) }}
    end as price_paid_trend_3m_pct,
    {{ percent_change('trended.base_price_group', 'trended.base_price_group_3m_ago') }}
        as quoted_price_change_3m_pct
from trended
left join materials
    on trended.material_id = materials.material_id
