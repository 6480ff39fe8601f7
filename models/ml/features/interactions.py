"""How suppliers perform, as the supplier recommender sees it.

:func:`vendor_quality` — per vendor, on-time deliveries and inspected defects up to a date
(the delivery and quality components of the scorecard, computed from bronze so the model
does not wait for dbt; see :mod:`models.ml.recommend.suppliers`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from models.ml.features.sources import FeatureConfig, Sources

if TYPE_CHECKING:
    import duckdb


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
