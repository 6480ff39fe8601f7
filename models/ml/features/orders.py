"""Red-flag features of purchase orders, one row per order.

What an internal-audit team looks at on a purchase order: the amount against the unit's
approval limit (just under it), several orders by the same buyer to the same vendor within
days that each stay (just) under the limit but together exceed it (a split), an order approved by
its own buyer, unit prices changed by hand after approval at night or on a weekend and how
far above the offer, prices far from the material's usual price, and how new the vendor is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

from models.ml.features.sources import FeatureConfig, Sources, fx_sql, off_hours_sql

#: Feature columns, in model order (see :mod:`models.ml.features.catalog`).
ORDER_FEATURES: tuple[str, ...] = (
    "log_amount_cny", "limit_ratio", "just_under_limit", "split_siblings", "split_siblings_under_limit",
    "split_total_ratio", "split_under_limit", "self_approved", "override_lines", "override_off_hours",
    "override_after_approval", "max_override_uplift", "max_price_vs_median",
    "log_vendor_tenure_days", "created_off_hours",
)


def order_features_sql(sources: Sources, config: FeatureConfig) -> str:
    """The SQL of :func:`order_features` (exposed for documentation and tests)."""
    s, c = sources, config
    return f"""
with fx as ({fx_sql(s, c)}),
po as (
    select p.purchase_order_id, p.business_unit_code, p.vendor_id, p.buyer_id, p.approved_by,
           cast(p.order_date as date) as order_date, p.created_at, p.approved_at, p.currency,
           cast(p.total_amount as double) as total_amount,
           coalesce(cast(p.approval_limit as double), cast(bu.approval_limit as double)) as approval_limit
    from {s.purchase_orders} p
    left join {s.business_units} bu on bu.business_unit_code = p.business_unit_code
),
po_cny as (
    select po.*,
           po.total_amount * case when po.currency = '{c.group_currency}' then 1.0 else fx.rate end as amount_cny
    from po asof left join fx on fx.from_currency = po.currency and po.order_date >= fx.rate_date
),
siblings as (
    select a.purchase_order_id, count(b.purchase_order_id) as split_siblings,
           count(b.purchase_order_id) filter (
               where b.amount_cny >= {c.under_limit_share} * b.approval_limit and b.amount_cny < b.approval_limit
           ) as split_siblings_under_limit,
           coalesce(sum(b.amount_cny), 0) as sibling_amount_cny
    from po_cny a
    left join po_cny b
      on b.buyer_id = a.buyer_id and b.vendor_id = a.vendor_id
     and b.purchase_order_id <> a.purchase_order_id
     and abs(date_diff('day', a.order_date, b.order_date)) <= {c.split_window_days}
    group by a.purchase_order_id
),
lines as (
    select l.purchase_order_id, l.purchase_order_line_id, l.material_id, l.currency, l.supplier_offer_id,
           cast(l.quantity as double) as quantity, cast(l.unit_price as double) as unit_price,
           l.price_overridden_at
    from {s.purchase_order_lines} l
),
tier as (
    select l.purchase_order_line_id, max_by(t.unit_price, t.min_qty) as offer_price
    from lines l
    join {s.supplier_offers} o on o.supplier_offer_id = l.supplier_offer_id,
         unnest(from_json(cast(o.price_tiers as varchar),
                          '[{{"min_qty": "DOUBLE", "unit_price": "DOUBLE"}}]')) as u(t)
    where t.min_qty <= l.quantity
    group by l.purchase_order_line_id
),
medians as (
    select material_id, currency, median(unit_price) as median_price
    from lines where unit_price > 0 group by material_id, currency
),
line_flags as (
    select l.purchase_order_id,
           l.price_overridden_at is not null as overridden,
           l.price_overridden_at is not null and {off_hours_sql('l.price_overridden_at', c)} as off_hours,
           l.price_overridden_at is not null and po.approved_at is not null
               and l.price_overridden_at > po.approved_at as after_approval,
           case when l.price_overridden_at is not null and t.offer_price > 0
                then l.unit_price / t.offer_price - 1 else 0 end as override_uplift,
           case when m.median_price > 0 then l.unit_price / m.median_price - 1 else 0 end as vs_median
    from lines l
    join po on po.purchase_order_id = l.purchase_order_id
    left join tier t on t.purchase_order_line_id = l.purchase_order_line_id
    left join medians m on m.material_id = l.material_id and m.currency = l.currency
),
line_agg as (
    select purchase_order_id,
           count(*) filter (where overridden) as override_lines,
           max(off_hours::int) as override_off_hours,
           max(after_approval::int) as override_after_approval,
           max(override_uplift) as max_override_uplift,
           max(vs_median) as max_price_vs_median
    from line_flags group by purchase_order_id
)
select 'purchase_order' as document_type, p.purchase_order_id as document_id,
       p.business_unit_code, p.vendor_id, p.buyer_id, p.order_date as document_date,
       p.total_amount as amount, p.currency, p.amount_cny, p.approval_limit,
       ln(1 + greatest(coalesce(p.amount_cny, 0), 0)) as log_amount_cny,
       coalesce(p.amount_cny / nullif(p.approval_limit, 0), 0) as limit_ratio,
       coalesce((p.amount_cny / nullif(p.approval_limit, 0) >= {c.under_limit_share}
                 and p.amount_cny < p.approval_limit)::int, 0) as just_under_limit,
       sb.split_siblings, sb.split_siblings_under_limit,
       case when sb.split_siblings > 0
            then coalesce((p.amount_cny + sb.sibling_amount_cny) / nullif(p.approval_limit, 0), 0)
            else 0 end as split_total_ratio,
       coalesce((sb.split_siblings > 0 and p.amount_cny < p.approval_limit
                 and p.amount_cny + sb.sibling_amount_cny > p.approval_limit)::int, 0) as split_under_limit,
       coalesce((p.approved_by = p.buyer_id)::int, 0) as self_approved,
       coalesce(la.override_lines, 0) as override_lines,
       coalesce(la.override_off_hours, 0) as override_off_hours,
       coalesce(la.override_after_approval, 0) as override_after_approval,
       coalesce(la.max_override_uplift, 0) as max_override_uplift,
       least(greatest(coalesce(la.max_price_vs_median, 0), -1), 5) as max_price_vs_median,
       ln(1 + greatest(coalesce(date_diff('day', cast(v.created_at as date), p.order_date), 0), 0))
           as log_vendor_tenure_days,
       coalesce({off_hours_sql('p.created_at', c)}::int, 0) as created_off_hours
from po_cny p
join siblings sb on sb.purchase_order_id = p.purchase_order_id
left join line_agg la on la.purchase_order_id = p.purchase_order_id
left join {s.vendors} v on v.vendor_id = p.vendor_id
order by p.purchase_order_id
"""


def order_features(
    con: duckdb.DuckDBPyConnection,
    sources: Sources | None = None,
    config: FeatureConfig | None = None,
) -> pd.DataFrame:
    """One row per purchase order: keys, amount, and :data:`ORDER_FEATURES`.

    Args:
        con: DuckDB connection on which ``sources`` exist (session time zone UTC).
        sources: relation names (default: the lake's bronze ERP views).
        config: audit constants (default :class:`FeatureConfig`).

    Returns:
        Columns ``document_type, document_id, business_unit_code, vendor_id, buyer_id,
        document_date, amount, currency, amount_cny, approval_limit`` and the features,
        sorted by ``document_id``.

    Example:
        >>> frame = order_features(open_lake(get_settings()))  # doctest: +SKIP
    """
    sql = order_features_sql(sources or Sources(), config or FeatureConfig())
    frame = con.sql(sql).df()
    for name in ORDER_FEATURES:
        frame[name] = frame[name].astype(float)
    return frame
