{#-
    Every inbound shipment with what its GPS tracker says (when it has one):
    - gps_arrived_at: the first fix within gps_arrival_radius_km of the destination warehouse;
    - the ETA fix: the last fix before that arrival (or the last fix when the truck has not
      arrived) that is still outside the radius; remaining_road_km = great-circle distance
      to the warehouse x gps_road_factor; recent_speed_kmh = the mean reported speed of the
      moving fixes (>= gps_moving_speed_kmh) in the gps_recent_hours up to the ETA fix,
      else of every moving fix of the track;
    - gps_eta_at = ETA fix time + remaining_road_km / recent_speed_kmh;
    - eta_error_hours = gps_eta_at - arrived_at (positive: the GPS ETA was late);
    - asn_eta_error_hours = the supplier's ASN expected arrival - the GPS arrival (else
      arrived_at), and whether it was within eta_tolerance_hours: the supplier's ETA
      accuracy, checked by GPS (tracked shipments only).
    arrived_at is the ERP delivery time, else the first valid goods receipt. Dates are
    local dates of business_timezone.
-#}
with

shipments as (

    select * from {{ ref('stg_erp__shipments') }}

),

warehouses as (

    select * from {{ ref('stg_erp__warehouses') }}

),

gps as (

    select * from {{ ref('stg_iot__gps') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

first_receipts as (

    select
        shipment_id,
        min(received_at) as first_received_at
    from {{ ref('int_goods_receipts__inspected') }}
    where not is_excluded
    group by shipment_id

),

fixes as (

    select
        gps.shipment_id,
        gps.event_id,
        gps.recorded_at,
        gps.speed_kmh,
        2 * 6371.0 * asin(sqrt(
            pow(sin(radians(warehouses.latitude - gps.lat) / 2), 2)
            + cos(radians(gps.lat)) * cos(radians(warehouses.latitude))
            * pow(sin(radians(warehouses.longitude - gps.lon) / 2), 2)
        )) as distance_km
    from gps
    inner join shipments
        on gps.shipment_id = shipments.shipment_id
    inner join warehouses
        on shipments.destination_warehouse_id = warehouses.warehouse_id
    where gps.lat is not null
        and gps.lon is not null

),

arrivals as (

    select
        fixes.shipment_id,
        count(*) as gps_fix_count,
        min(fixes.recorded_at) as first_fix_at,
        max(fixes.recorded_at) as last_fix_at,
        min(fixes.recorded_at) filter (where fixes.distance_km <= parameters.gps_arrival_radius_km)
            as gps_arrived_at,
        avg(fixes.speed_kmh) filter (where fixes.speed_kmh >= parameters.gps_moving_speed_kmh)
            as track_speed_kmh
    from fixes
    cross join parameters
    group by fixes.shipment_id

),

eta_fixes as (

    select
        fixes.shipment_id,
        fixes.recorded_at as eta_fix_at,
        fixes.distance_km as eta_fix_distance_km
    from fixes
    inner join arrivals
        on fixes.shipment_id = arrivals.shipment_id
    cross join parameters
    where fixes.distance_km > parameters.gps_arrival_radius_km
        and (arrivals.gps_arrived_at is null or fixes.recorded_at < arrivals.gps_arrived_at)
    qualify row_number() over (
        partition by fixes.shipment_id order by fixes.recorded_at desc, fixes.event_id desc
    ) = 1

),

recent_speeds as (

    select
        eta_fixes.shipment_id,
        avg(fixes.speed_kmh) as recent_speed_kmh
    from eta_fixes
    cross join parameters
    inner join fixes
        on eta_fixes.shipment_id = fixes.shipment_id
        and fixes.recorded_at <= eta_fixes.eta_fix_at
        and fixes.recorded_at >= eta_fixes.eta_fix_at - to_microseconds(cast(parameters.gps_recent_hours * 3600e6 as bigint))
        and fixes.speed_kmh >= parameters.gps_moving_speed_kmh
    group by eta_fixes.shipment_id

),

tracked as (

    select
        shipments.shipment_id,
        shipments.purchase_order_id,
        shipments.vendor_id,
        shipments.destination_warehouse_id,
        shipments.transport_mode,
        shipments.carrier,
        shipments.tracking_device_id,
        shipments.status as shipment_status,
        shipments.shipped_at,
        shipments.promised_date,
        shipments.expected_arrival_at as asn_expected_arrival_at,
        shipments.delivered_at,
        first_receipts.first_received_at,
        coalesce(arrivals.gps_fix_count, 0) as gps_fix_count,
        arrivals.first_fix_at,
        arrivals.last_fix_at,
        arrivals.gps_arrived_at,
        eta_fixes.eta_fix_at,
        eta_fixes.eta_fix_distance_km * parameters.gps_road_factor as remaining_road_km,
        coalesce(recent_speeds.recent_speed_kmh, arrivals.track_speed_kmh) as recent_speed_kmh,
        coalesce(shipments.delivered_at, first_receipts.first_received_at) as arrived_at,
        parameters.business_timezone,
        parameters.eta_tolerance_hours
    from shipments
    cross join parameters
    left join first_receipts
        on shipments.shipment_id = first_receipts.shipment_id
    left join arrivals
        on shipments.shipment_id = arrivals.shipment_id
    left join eta_fixes
        on shipments.shipment_id = eta_fixes.shipment_id
    left join recent_speeds
        on shipments.shipment_id = recent_speeds.shipment_id

),

estimated as (

    select
        *,
        eta_fix_at + to_microseconds(cast(round(remaining_road_km / recent_speed_kmh * 3600e6) as bigint))
            as gps_eta_at
    from tracked

)

select
    shipment_id,
    purchase_order_id,
    vendor_id,
    destination_warehouse_id,
    transport_mode,
    carrier,
    tracking_device_id,
    gps_fix_count > 0 as is_gps_tracked,
    shipment_status,
    shipped_at,
    promised_date,
    asn_expected_arrival_at,
    delivered_at,
    first_received_at,
    arrived_at,
    cast(timezone(business_timezone, arrived_at) as date) as arrived_date,
    cast(date_trunc('month', timezone(business_timezone, arrived_at)) as date) as arrived_month,
    gps_fix_count,
    first_fix_at,
    last_fix_at,
    gps_arrived_at,
    eta_fix_at,
    round(remaining_road_km, 3) as remaining_road_km,
    round(recent_speed_kmh, 2) as recent_speed_kmh,
    gps_eta_at,
    cast(timezone(business_timezone, gps_eta_at) as date) as gps_eta_date,
    date_diff('day', promised_date, cast(timezone(business_timezone, gps_eta_at) as date)) as gps_eta_days_vs_promised,
    round(epoch(gps_eta_at - arrived_at) / 3600.0, 3) as eta_error_hours,
    case
        when gps_fix_count > 0
            then round(epoch(asn_expected_arrival_at - coalesce(gps_arrived_at, arrived_at)) / 3600.0, 3)
    end as asn_eta_error_hours,
    case
        when gps_fix_count > 0
            then abs(epoch(asn_expected_arrival_at - coalesce(gps_arrived_at, arrived_at))) / 3600.0
                <= eta_tolerance_hours
    end as is_asn_eta_accurate,
    date_diff('day', promised_date, cast(timezone(business_timezone, arrived_at) as date)) as arrival_days_vs_promised
from estimated
