{#-
    The vendor-month building blocks rolled up to golden suppliers: every ERP vendor record
    is mapped to its supplier_key through the ERP vendor crosswalk (int_erp_vendors__resolved)
    and the counts and sums are added over the supplier's records.
    Vendor records missing from the crosswalk are listed in dq_procurement_exclusions.
-#}
with

vendor_months as (

    select * from {{ ref('int_vendor_months__performance') }}

),

crosswalk as (

    select * from {{ ref('int_erp_vendors__resolved') }}

),

mapped as (

    select
        crosswalk.supplier_key,
        vendor_months.*
    from vendor_months
    inner join crosswalk
        on vendor_months.vendor_id = crosswalk.vendor_id

)

select
    supplier_key || ':' || strftime(activity_month, '%Y-%m') as supplier_month_id,
    supplier_key,
    activity_month,
    count(*) as vendor_record_count,
    sum(columns(* exclude (supplier_key, activity_month, vendor_month_id, vendor_id)))
from mapped
group by supplier_key, activity_month
