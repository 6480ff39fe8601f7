{#-
    Spend of each golden supplier per business unit, material category and order month (valid,
    not cancelled purchase order lines in the group currency at the order date's rate): what
    decides a supplier's main category and main business unit, and which units it serves.
-#}
with

order_lines as (

    select * from {{ ref('int_purchase_order_lines__delivered') }}
    where not is_excluded
        and not is_cancelled

),

crosswalk as (

    select * from {{ ref('int_erp_vendors__resolved') }}

)

select
    crosswalk.supplier_key,
    order_lines.business_unit_code,
    order_lines.category_id,
    order_lines.order_month,
    count(distinct order_lines.purchase_order_id) as po_count,
    count(*) as po_line_count,
    cast(sum(order_lines.line_amount_group) as decimal(18, 4)) as spend_group
from order_lines
inner join crosswalk
    on order_lines.vendor_id = crosswalk.vendor_id
group by all
