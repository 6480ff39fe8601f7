"""Inputs of the supplier recommender: who bought from whom, and how suppliers perform.

* :func:`purchase_events` — one row per (not cancelled) purchase order: business unit,
  buyer, vendor, date, amount in the group currency (the implicit feedback).
* :func:`vendor_catalogue` — every vendor record with its unit, name, status, onboarding date
  (the candidates: a buyer orders only from its own unit's vendor records).
* :func:`vendor_quality` — per vendor, on-time deliveries and inspected defects up to a date
  (the quality/delivery signal blended into the ranking).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from models.ml.features.sources import FeatureConfig, Sources, fx_sql

if TYPE_CHECKING:
    import duckdb


def purchase_events(
    con: duckdb.DuckDBPyConnection, sources: Sources | None = None, config: FeatureConfig | None = None
) -> pd.DataFrame:
    """One row per purchase order that was not cancelled, sorted by date and id.

    Returns:
        ``purchase_order_id, business_unit_code, buyer_id, vendor_id, order_date, amount_cny``.
    """
    s, c = sources or Sources(), config or FeatureConfig()
    return con.sql(f"""
with fx as ({fx_sql(s, c)}),
po as (
    select purchase_order_id, business_unit_code, buyer_id, vendor_id, cast(order_date as date) as order_date,
           currency, cast(total_amount as double) as total_amount
    from {s.purchase_orders}
    where coalesce(status, '') <> 'cancelled' and buyer_id is not null and vendor_id is not null
)
select po.purchase_order_id, po.business_unit_code, po.buyer_id, po.vendor_id, po.order_date,
       po.total_amount * case when po.currency = '{c.group_currency}' then 1.0 else fx.rate end as amount_cny
from po asof left join fx on fx.from_currency = po.currency and po.order_date >= fx.rate_date
order by po.order_date, po.purchase_order_id
""").df()


def vendor_catalogue(con: duckdb.DuckDBPyConnection, sources: Sources | None = None) -> pd.DataFrame:
    """Every vendor record: ``vendor_id, business_unit_code, vendor_name, status, onboarded_date``."""
    s = sources or Sources()
    return con.sql(f"""
select vendor_id, business_unit_code, name as vendor_name, status, cast(created_at as date) as onboarded_date
from {s.vendors}
order by vendor_id
""").df()


def vendor_quality(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date | None = None,
    sources: Sources | None = None,
    config: FeatureConfig | None = None,
) -> pd.DataFrame:
    """Delivery and quality record of every vendor with deliveries or inspections before ``as_of``.

    A delivery is on time when it arrived (local date) on or before the promised date.

    Returns:
        ``vendor_id, deliveries, on_time, inspected_units, defective_units``.
    """
    s, c = sources or Sources(), config or FeatureConfig()
    cutoff = f"date '{as_of.isoformat()}'" if as_of else "date '9999-12-31'"
    return con.sql(f"""
with deliveries as (
    select vendor_id, count(*) as deliveries,
           count(*) filter (where cast(timezone('{c.timezone}', delivered_at) as date) <= cast(promised_date as date))
               as on_time
    from {s.shipments}
    where delivered_at is not null and cast(delivered_at as date) < {cutoff}
    group by vendor_id
),
inspections as (
    select po.vendor_id, sum(qi.sample_size) as inspected_units, sum(qi.defects_found) as defective_units
    from {s.quality_inspections} qi
    join {s.goods_receipts} gr on gr.goods_receipt_id = qi.goods_receipt_id
    join {s.purchase_orders} po on po.purchase_order_id = gr.purchase_order_id
    where cast(qi.inspected_at as date) < {cutoff}
    group by po.vendor_id
)
select coalesce(d.vendor_id, i.vendor_id) as vendor_id,
       coalesce(d.deliveries, 0) as deliveries, coalesce(d.on_time, 0) as on_time,
       coalesce(i.inspected_units, 0) as inspected_units, coalesce(i.defective_units, 0) as defective_units
from deliveries d full outer join inspections i on i.vendor_id = d.vendor_id
order by vendor_id
""").df().astype({"deliveries": int, "on_time": int, "inspected_units": int, "defective_units": int})
