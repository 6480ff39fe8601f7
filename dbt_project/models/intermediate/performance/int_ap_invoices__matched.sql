{#-
    Every vendor invoice checked the way accounts payable does before paying:
    - duplicate: an earlier invoice (by received_at, then id) of the same vendor carries the
      same invoice number (upper-cased, a leading "No." and every non-alphanumeric character
      dropped), or bills the same shipment for the same gross amount;
    - mismatch: the net amount differs from the received value of the shipment it bills
      (valid goods receipts x the order line's unit price, same currency) by more than
      invoice_tolerance_abs + invoice_tolerance_rel x |received value|, or there is no
      valid receipt to match, or the currencies differ.
    Amounts in the group currency at the invoice date's rate.
-#}
with

invoices as (

    select * from {{ ref('stg_erp__ap_invoices') }}

),

receipts as (

    select
        shipment_id,
        min(currency) as currency,
        count(distinct currency) as currency_count,
        sum(cast(quantity as decimal(38, 4)) * unit_price) as received_value
    from {{ ref('int_goods_receipts__inspected') }}
    where not is_excluded
        and shipment_id is not null
    group by shipment_id

),

fx_windows as (

    select * from {{ ref('int_fx_rates__windowed') }}

),

parameters as (

    select * from {{ ref('int_performance__parameters') }}

),

checked as (

    select
        invoices.ap_invoice_id,
        invoices.vendor_id,
        invoices.purchase_order_id,
        invoices.shipment_id,
        invoices.invoice_number,
        regexp_replace(regexp_replace(upper(trim(invoices.invoice_number)), '^NO\.', ''), '[^0-9A-Z]', '', 'g')
            as normalised_invoice_number,
        invoices.invoice_date,
        cast(date_trunc('month', invoices.invoice_date) as date) as invoice_month,
        invoices.received_at,
        invoices.net_amount,
        invoices.gross_amount,
        invoices.currency,
        fx_windows.rate as fx_rate,
        fx_windows.valid_from_date as fx_rate_date,
        {{ to_group_currency('invoices.net_amount', 'fx_windows.rate') }} as net_amount_group,
        {{ to_group_currency('invoices.gross_amount', 'fx_windows.rate') }} as gross_amount_group,
        cast(round(receipts.received_value, 4) as decimal(18, 4)) as received_value,
        case
            when receipts.shipment_id is null then 'no valid receipt'
            when receipts.currency_count > 1 or receipts.currency != invoices.currency then 'currency differs'
            when not {{ within_tolerance(
                'invoices.net_amount - receipts.received_value',
                'abs(receipts.received_value)',
                'parameters.invoice_tolerance_abs',
                'parameters.invoice_tolerance_rel'
            ) }}
                then 'amount differs from receipts'
        end as mismatch_reason,
        case
            when invoices.vendor_id is null then 'invoice without vendor'
            when invoices.net_amount is null or invoices.gross_amount is null then 'amount missing'
            when fx_windows.rate is null then 'no exchange rate on or before the invoice date'
        end as exclusion_reason

    from invoices
    cross join parameters
    left join receipts
        on invoices.shipment_id = receipts.shipment_id
    left join fx_windows
        on {{ fx_rate_in_force('invoices.currency', 'invoices.invoice_date') }}

),

flagged as (

    select
        *,
        row_number() over (
            partition by vendor_id, normalised_invoice_number
            order by received_at, ap_invoice_id
        ) > 1
        or (
            shipment_id is not null
            and row_number() over (
                partition by vendor_id, shipment_id, gross_amount
                order by received_at, ap_invoice_id
            ) > 1
        ) as is_duplicate
    from checked

)

select
    ap_invoice_id,
    vendor_id,
    purchase_order_id,
    shipment_id,
    invoice_number,
    normalised_invoice_number,
    invoice_date,
    invoice_month,
    received_at,
    net_amount,
    gross_amount,
    currency,
    fx_rate,
    fx_rate_date,
    net_amount_group,
    gross_amount_group,
    received_value,
    is_duplicate,
    mismatch_reason,
    mismatch_reason is not null as is_mismatch,
    not is_duplicate and mismatch_reason is null as is_accurate,
    exclusion_reason,
    exclusion_reason is not null as is_excluded
from flagged
