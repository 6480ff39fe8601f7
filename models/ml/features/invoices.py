"""Red-flag features of accounts-payable invoices, one row per invoice.

What an auditor checks on an invoice: whether the same vendor already sent an invoice for
the same shipment, the same amount or the same number (once normalised: ``No.123``,
``123-1`` and ``123`` are one number) in the preceding months (a duplicate, often paid
twice); whether the amount is suspiciously round; and the three-way match, i.e. how far the
invoiced net amount exceeds the value of the goods actually received for that shipment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

from models.ml.features.sources import FeatureConfig, Sources, fx_sql

#: Feature columns, in model order (see :mod:`models.ml.features.catalog`).
INVOICE_FEATURES: tuple[str, ...] = (
    "log_amount_cny", "roundness", "round_amount", "over_receipt_pct",
    "earlier_same_shipment", "earlier_same_amount", "earlier_same_number", "log_vendor_tenure_days",
)

#: How an invoice number is normalised before comparing (prefix ``No.``, suffix ``-1``, spaces).
NUMBER_NORMALISATION = r"regexp_replace(upper(replace({col}, ' ', '')), '^NO\.?|[-/][0-9]{{1,2}}$', '', 'g')"


def invoice_features_sql(sources: Sources, config: FeatureConfig) -> str:
    """The SQL of :func:`invoice_features`."""
    s, c = sources, config
    norm = NUMBER_NORMALISATION.format(col="i.invoice_number")
    return f"""
with fx as ({fx_sql(s, c)}),
inv as (
    select i.ap_invoice_id, i.vendor_id, i.shipment_id, i.purchase_order_id, i.currency,
           cast(i.invoice_date as date) as invoice_date, i.received_at,
           cast(i.net_amount as double) as net_amount, cast(i.gross_amount as double) as gross_amount,
           {norm} as number_norm
    from {s.ap_invoices} i
),
inv_cny as (
    select inv.*,
           inv.gross_amount * case when inv.currency = '{c.group_currency}' then 1.0 else fx.rate end as amount_cny
    from inv asof left join fx on fx.from_currency = inv.currency and inv.invoice_date >= fx.rate_date
),
received as (
    select gr.shipment_id, sum(cast(gr.quantity as double) * cast(l.unit_price as double)) as received_value
    from {s.goods_receipts} gr
    join {s.purchase_order_lines} l on l.purchase_order_line_id = gr.purchase_order_line_id
    where gr.shipment_id is not null
    group by gr.shipment_id
),
earlier as (
    select a.ap_invoice_id,
           count(b.ap_invoice_id) filter (where b.shipment_id = a.shipment_id) as earlier_same_shipment,
           count(b.ap_invoice_id) filter (where b.gross_amount = a.gross_amount) as earlier_same_amount,
           count(b.ap_invoice_id) filter (where b.number_norm = a.number_norm) as earlier_same_number
    from inv a
    left join inv b
      on b.vendor_id = a.vendor_id
     and (b.received_at < a.received_at or (b.received_at = a.received_at and b.ap_invoice_id < a.ap_invoice_id))
     and b.received_at >= a.received_at - interval {int(c.duplicate_lookback_days)} day
    group by a.ap_invoice_id
),
digits as (
    select ap_invoice_id,
           case when gross_amount = floor(gross_amount) and gross_amount >= 1
                then cast(cast(gross_amount as bigint) as varchar) end as integer_text
    from inv
),
shape as (
    select ap_invoice_id,
           coalesce(length(integer_text), 0) as n_digits,
           coalesce(length(integer_text) - length(rtrim(integer_text, '0')), 0) as trailing_zeros
    from digits
)
select 'ap_invoice' as document_type, i.ap_invoice_id as document_id, po.business_unit_code,
       i.vendor_id, po.buyer_id, i.invoice_date as document_date, i.gross_amount as amount, i.currency,
       i.amount_cny, i.invoice_date, r.received_value,
       ln(1 + greatest(coalesce(i.amount_cny, 0), 0)) as log_amount_cny,
       case when sh.n_digits > 1 then sh.trailing_zeros / (sh.n_digits - 1) else 0 end as roundness,
       (sh.n_digits >= 4 and sh.trailing_zeros >= sh.n_digits - 2)::int as round_amount,
       least(greatest(coalesce(i.net_amount / nullif(r.received_value, 0) - 1, 0), -1), 2) as over_receipt_pct,
       e.earlier_same_shipment, e.earlier_same_amount, e.earlier_same_number,
       ln(1 + greatest(coalesce(date_diff('day', cast(v.created_at as date), i.invoice_date), 0), 0))
           as log_vendor_tenure_days
from inv_cny i
join earlier e on e.ap_invoice_id = i.ap_invoice_id
join shape sh on sh.ap_invoice_id = i.ap_invoice_id
left join received r on r.shipment_id = i.shipment_id
left join {s.purchase_orders} po on po.purchase_order_id = i.purchase_order_id
left join {s.vendors} v on v.vendor_id = i.vendor_id
order by i.ap_invoice_id
"""


def invoice_features(
    con: duckdb.DuckDBPyConnection,
    sources: Sources | None = None,
    config: FeatureConfig | None = None,
) -> pd.DataFrame:
    """One row per AP invoice: keys, amount, and :data:`INVOICE_FEATURES`.

    Args:
        con: DuckDB connection on which ``sources`` exist (session time zone UTC).
        sources: relation names (default: the lake's bronze ERP views).
        config: audit constants (default :class:`FeatureConfig`).

    Returns:
        Columns ``document_type, document_id, business_unit_code, vendor_id, buyer_id,
        document_date, amount, currency, amount_cny, received_value`` and the features.

    Example:
        >>> frame = invoice_features(open_lake(get_settings()))  # doctest: +SKIP
    """
    frame = con.sql(invoice_features_sql(sources or Sources(), config or FeatureConfig())).df()
    for name in INVOICE_FEATURES:
        frame[name] = frame[name].astype(float)
    return frame
