{#-
    The supplier-performance tunables in one row, so every model (and every unit test) reads
    the same values. Each is a dbt var with its default here (override with --vars); the
    reference day is the project's as_of_date var, or the last purchase order day in the
    data (never now(): deterministic). The scorecard month is a whole calendar month: the
    latest complete one ends on or before as_of_date.
-#}
with

as_of as (

    select
        {% if var('as_of_date', '') %}
        cast('{{ var("as_of_date") }}' as date) as as_of_date
        {% else %}
        cast(max(order_date) as date) as as_of_date
        {% endif %}
    from {{ ref('stg_erp__purchase_orders') }}

)

select
    as_of_date,
    cast(date_trunc('month', as_of_date + interval 1 day) - interval 1 month as date)
        as latest_complete_month,
    -- scorecards: trailing window and the minimum history to be ranked
    cast({{ var('scorecard_window_months', 12) }} as integer) as window_months,
    cast({{ var('scorecard_min_orders', 5) }} as integer) as min_orders,
    cast({{ var('scorecard_min_receipts', 10) }} as integer) as min_receipts,
    -- metric scores: percentile within the main category when it has this many ranked
    -- peers with a value, else among every ranked supplier of the group
    cast({{ var('scorecard_min_category_peers', 5) }} as integer) as min_category_peers,
    -- the elimination list: this share of the ranked suppliers, group-wide
    cast({{ var('scorecard_bottom_share', 0.10) }} as double) as bottom_share,
    cast({{ var('scorecard_reason_count', 3) }} as integer) as reason_count,
    -- score intervals: rate metrics are shrunk toward their peers (empirical Bayes, prior
    -- strength capped here) and carry posterior mean -+ z sd; a supplier of the bottom
    -- share is 'listed' only when its whole overall-score interval lies below the cut-off
    cast({{ var('scorecard_interval_z', 1.2816) }} as double) as score_interval_z,
    cast({{ var('scorecard_max_prior_strength', 100000) }} as double) as max_prior_strength,
    -- buyer ratings (1-5): a supplier's mean score is shrunk toward its category's mean
    -- with this many pseudo-ratings (5: five ratings weigh as much as the prior)
    cast({{ var('scorecard_rating_prior_strength', 5) }} as double) as rating_prior_strength,
    -- acknowledgement: an order approved at least this many days before as_of_date should
    -- have been acknowledged (younger ones are not judged yet)
    cast({{ var('po_ack_grace_days', 14) }} as integer) as po_ack_grace_days,
    -- delivery: a line is "in full" when the received quantity is within this share of the order
    cast({{ var('quantity_tolerance_rel', 0.02) }} as double) as quantity_tolerance_rel,
    -- invoices match the received value within abs + rel x |received value|
    cast({{ var('invoice_tolerance_abs', 1.0) }} as double) as invoice_tolerance_abs,
    cast({{ var('invoice_tolerance_rel', 0.005) }} as double) as invoice_tolerance_rel,
    -- GPS: arrival radius around the destination warehouse, road distance / great-circle
    -- distance, the trailing hours of fixes giving the recent speed, ASN ETA tolerance
    cast({{ var('gps_arrival_radius_km', 5.0) }} as double) as gps_arrival_radius_km,
    cast({{ var('gps_road_factor', 1.25) }} as double) as gps_road_factor,
    cast({{ var('gps_recent_hours', 3.0) }} as double) as gps_recent_hours,
    cast({{ var('gps_moving_speed_kmh', 5.0) }} as double) as gps_moving_speed_kmh,
    cast({{ var('eta_tolerance_hours', 12.0) }} as double) as eta_tolerance_hours,
    -- business dates (promised, received) are local dates of the group's time zone
    cast('{{ var("business_timezone", "Asia/Shanghai") }}' as varchar) as business_timezone,
    -- stock: a warehouse x SKU line is accurate when |difference| <= abs + rel x |book|
    cast({{ var('stock_tolerance_abs', 0.001) }} as double) as stock_tolerance_abs,
    cast({{ var('stock_tolerance_rel', 0.005) }} as double) as stock_tolerance_rel

from as_of
