{#-
    Spend per golden supplier, business unit and month, in the group currency with dated FX
    (each amount at the rate of its own business date or the latest before it):
    ordered = valid, not cancelled purchase order lines by order date; received = valid
    goods receipts x the line's unit price by received date; invoiced = net amount of the
    vendor invoices that are not duplicates, by invoice date (duplicates shown apart).
    Shares are of the ordered amount: of the business unit's and of the group's month.
-#}
with

order_lines as (

    select * from {{ ref('int_purchase_order_lines__delivered') }}
    where not is_excluded
        and not is_cancelled

),

receipts as (

    select * from {{ ref('int_goods_receipts__inspected') }}
    where not is_excluded

),

invoices as (

    select * from {{ ref('int_ap_invoices__matched') }}
    where not is_excluded

),

orders as (

    select * from {{ ref('stg_erp__purchase_orders') }}

),

vendors as (

    select * from {{ ref('stg_erp__vendors') }}

),

crosswalk as (

    select * from {{ ref('int_erp_vendors__resolved') }}

),

suppliers as (

    select * from {{ ref('supplier_master') }}

),

ordered as (

    select
        vendor_id,
        business_unit_code,
        order_month as spend_month,
        count(distinct purchase_order_id) as po_count,
        count(*) as po_line_count,
        sum(line_amount_group) as ordered_amount_group
    from order_lines
    group by all

),

received as (

    select
        vendor_id,
        business_unit_code,
        received_month as spend_month,
        count(*) as receipt_count,
        sum(received_value_group) as received_amount_group
    from receipts
    group by all

),

invoiced as (

    select
        invoices.vendor_id,
        coalesce(orders.business_unit_code, vendors.business_unit_code) as business_unit_code,
        invoices.invoice_month as spend_month,
        count(*) filter (where not invoices.is_duplicate) as invoice_count,
        sum(invoices.net_amount_group) filter (where not invoices.is_duplicate) as invoiced_amount_group,
        sum(invoices.net_amount_group) filter (where invoices.is_duplicate) as duplicate_invoiced_amount_group
    from invoices
    left join orders
        on invoices.purchase_order_id = orders.purchase_order_id
    left join vendors
        on invoices.vendor_id = vendors.vendor_id
    group by all

),

stacked as (

    select * from ordered
    union all by name select * from received
    union all by name select * from invoiced

),

by_supplier as (

    select
        crosswalk.supplier_key,
        stacked.business_unit_code,
        stacked.spend_month,
        coalesce(sum(stacked.po_count), 0) as po_count,
        coalesce(sum(stacked.po_line_count), 0) as po_line_count,
        coalesce(sum(stacked.receipt_count), 0) as receipt_count,
        coalesce(sum(stacked.invoice_count), 0) as invoice_count,
        coalesce(sum(stacked.ordered_amount_group), 0) as ordered_amount_group,
        coalesce(sum(stacked.received_amount_group), 0) as received_amount_group,
        coalesce(sum(stacked.invoiced_amount_group), 0) as invoiced_amount_group,
        coalesce(sum(stacked.duplicate_invoiced_amount_group), 0) as duplicate_invoiced_amount_group
    from stacked
    inner join crosswalk
        on stacked.vendor_id = crosswalk.vendor_id
    group by all

)

select
    by_supplier.supplier_key || ':' || by_supplier.business_unit_code || ':' || strftime(by_supplier.spend_month, '%Y-%m')
        as supplier_spend_id,
    by_supplier.supplier_key,
    suppliers.group_supplier_id,
    suppliers.golden_name as supplier_name,
    by_supplier.business_unit_code,
    by_supplier.spend_month,
    cast('{{ var("group_currency") }}' as varchar) as currency,
    cast(by_supplier.po_count as integer) as po_count,
    cast(by_supplier.po_line_count as integer) as po_line_count,
    cast(by_supplier.receipt_count as integer) as receipt_count,
    cast(by_supplier.invoice_count as integer) as invoice_count,
    cast(by_supplier.ordered_amount_group as decimal(18, 4)) as ordered_amount,
    cast(by_supplier.received_amount_group as decimal(18, 4)) as received_amount,
    cast(by_supplier.invoiced_amount_group as decimal(18, 4)) as invoiced_amount,
    cast(by_supplier.duplicate_invoiced_amount_group as decimal(18, 4)) as duplicate_invoiced_amount,
    {{ safe_ratio(
        '100.0 * by_supplier.ordered_amount_group',
        'sum(by_supplier.ordered_amount_group) over (partition by by_supplier.business_unit_code, by_supplier.spend_month)',
        6
    ) }} as business_unit_spend_share_pct,
    {{ safe_ratio(
        '100.0 * by_supplier.ordered_amount_group',
        'sum(by_supplier.ordered_amount_group) over (partition by by_supplier.spend_month)',
        6
    ) }} as group_spend_share_pct
from by_supplier
left join suppliers
    on by_supplier.supplier_key = suppliers.supplier_key
