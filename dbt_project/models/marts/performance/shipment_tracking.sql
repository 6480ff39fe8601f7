{#-
    One row per inbound shipment: promised date, the supplier's ASN ETA, the GPS-derived ETA
    (from the last fixes before arrival: remaining road distance / recent speed), the actual
    arrival and the errors, with the golden supplier. Feeds the scorecard's delivery metrics
    (asn_eta_accuracy_rate counts is_asn_eta_accurate of GPS-tracked shipments).
-#}
with

shipments as (

    select * from {{ ref('int_shipments__gps_tracked') }}

),

crosswalk as (

    select * from {{ ref('int_erp_vendors__resolved') }}

)

select
    -- keys
    shipments.shipment_id,
    shipments.purchase_order_id,
    shipments.vendor_id,
    crosswalk.supplier_key,
    shipments.destination_warehouse_id,
    -- the shipment
    shipments.transport_mode,
    shipments.carrier,
    shipments.shipment_status,
    shipments.shipped_at,
    shipments.promised_date,
    shipments.asn_expected_arrival_at,
    shipments.delivered_at,
    shipments.first_received_at,
    shipments.arrived_at,
    shipments.arrived_date,
    cast(shipments.arrival_days_vs_promised as integer) as arrival_days_vs_promised,
    shipments.arrival_days_vs_promised <= 0 as is_on_time,
    -- GPS
    shipments.tracking_device_id,
    shipments.is_gps_tracked,
    cast(shipments.gps_fix_count as integer) as gps_fix_count,
    shipments.first_fix_at,
    shipments.last_fix_at,
    shipments.gps_arrived_at,
    shipments.eta_fix_at,
    cast(shipments.remaining_road_km as double) as remaining_road_km,
    cast(shipments.recent_speed_kmh as double) as recent_speed_kmh,
    shipments.gps_eta_at,
    shipments.gps_eta_date,
    cast(shipments.gps_eta_days_vs_promised as integer) as gps_eta_days_vs_promised,
    shipments.gps_eta_days_vs_promised <= 0 as is_gps_eta_on_time,
    cast(shipments.eta_error_hours as double) as eta_error_hours,
    cast(shipments.asn_eta_error_hours as double) as asn_eta_error_hours,
    shipments.is_asn_eta_accurate
from shipments
left join crosswalk
    on shipments.vendor_id = crosswalk.vendor_id
