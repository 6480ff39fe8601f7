"""The recommenders' inputs from the lake: purchase histories, offers, the platform's ids.

Two histories become one (:mod:`.transactions` frame, items = SKU codes, groups = units):

* the group's ERP purchase orders (``bronze.erp__purchase_orders`` × lines × materials;
  cancelled orders left out): customer = the ERP buyer id (``U-00054``);
* the trading platform's orders from its outbox (``bronze.tx__outbox_events``,
  ``order.placed`` events; orders later cancelled, rejected or expired left out): customer =
  ``platform:<user id>``, items mapped from the platform's SKU ids to codes through the
  ``sku.created`` events. A platform buyer is one more buyer of its unit, so its
  recommendations also draw on the unit's ERP history.

The platform's catalogue as the lake sees it (``sku.created``, ``offer.created`` /
``offer.changed``, ``supplier.approved`` events) maps the decisions back to the ids the
transactional service uses (:func:`platform_catalogue`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from models.ml.features.sources import FeatureConfig, Sources, fx_sql
from models.ml.recommend.transactions import normalise

if TYPE_CHECKING:
    import duckdb

OUTBOX = "bronze.tx__outbox_events"
PLATFORM_PREFIX = "platform:"
#: order events after which a placed order did not happen.
UNDONE = ("order.cancelled", "order.rejected", "order.approval_expired")


def _probe(con: duckdb.DuckDBPyConnection, relation: str) -> bool:
    import duckdb

    try:
        con.execute(f"select 1 from {relation} limit 0")
    except duckdb.Error:
        return False
    return True


def erp_lines(con: duckdb.DuckDBPyConnection, sources: Sources | None = None,
              config: FeatureConfig | None = None) -> pd.DataFrame:
    """ERP purchase-order lines: ``customer_id, item_id, order_id, ordered_at, group_id, vendor_id,
    material_id, unit_price_cny``."""
    s, c = sources or Sources(), config or FeatureConfig()
    return con.sql(f"""
with fx as ({fx_sql(s, c)}),
lines as (
    select po.buyer_id as customer_id, m.sku as item_id, po.purchase_order_id as order_id,
           cast(po.created_at as timestamptz) as ordered_at, po.business_unit_code as group_id,
           po.vendor_id, l.material_id, cast(l.unit_price as double) as unit_price, l.currency,
           cast(po.order_date as date) as order_date
    from {s.purchase_orders} po
    join {s.purchase_order_lines} l on l.purchase_order_id = po.purchase_order_id
    join {s.materials} m on m.material_id = l.material_id
    where coalesce(po.status, '') <> 'cancelled' and po.buyer_id is not null and m.sku is not null
)
select customer_id, item_id, order_id, ordered_at, group_id, vendor_id, material_id,
       unit_price * case when lines.currency = '{c.group_currency}' then 1.0 else fx.rate end as unit_price_cny
from lines asof left join fx on fx.from_currency = lines.currency and lines.order_date >= fx.rate_date
order by ordered_at, order_id, item_id
""").df()


def platform_lines(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Platform order lines from the outbox: ``customer_id`` (``platform:<user id>``), ``item_id``
    (SKU code), ``order_id`` (``platform:<order id>``), ``ordered_at``, ``group_id``,
    ``vendor_id`` (platform supplier id), ``sku_id``, ``offer_id``, ``user_id``."""
    columns = ["customer_id", "item_id", "order_id", "ordered_at", "group_id", "vendor_id", "sku_id", "offer_id",
               "user_id"]
    if not _probe(con, OUTBOX):
        return pd.DataFrame(columns=columns)
    undone = ", ".join(f"'{e}'" for e in UNDONE)
    return con.sql(f"""
with placed as (
    select aggregate_id as order_id, payload, occurred_at
    from {OUTBOX} where event_type = 'order.placed'
),
undone as (select distinct aggregate_id from {OUTBOX} where event_type in ({undone})),
skus as (
    select cast(json_extract(payload, '$.id') as bigint) as sku_id, json_extract_string(payload, '$.code') as code
    from {OUTBOX} where event_type = 'sku.created'
),
lines as (
    select p.order_id, cast(json_extract(p.payload, '$.buyer_user_id') as bigint) as user_id,
           json_extract_string(p.payload, '$.business_unit') as group_id,
           json_extract_string(p.payload, '$.supplier_id') as vendor_id,
           coalesce(try_cast(json_extract_string(p.payload, '$.placed_at') as timestamptz), p.occurred_at)
               as ordered_at,
           unnest(from_json(json_extract(p.payload, '$.lines'), '[{{"sku_id": "BIGINT", "offer_id": "BIGINT"}}]'))
               as line
    from placed p
    where p.order_id not in (select aggregate_id from undone)
)
select '{PLATFORM_PREFIX}' || cast(user_id as varchar) as customer_id, skus.code as item_id,
       '{PLATFORM_PREFIX}' || order_id as order_id, ordered_at, group_id, vendor_id,
       line.sku_id as sku_id, line.offer_id as offer_id, user_id
from lines join skus on skus.sku_id = line.sku_id
where user_id is not null
order by ordered_at, order_id, item_id
""").df()[columns]


def purchase_history(con: duckdb.DuckDBPyConnection, sources: Sources | None = None) -> pd.DataFrame:
    """ERP and platform order lines as one normalised transactions frame."""
    frames = [erp_lines(con, sources)[["customer_id", "item_id", "order_id", "ordered_at", "group_id"]],
              platform_lines(con)[["customer_id", "item_id", "order_id", "ordered_at", "group_id"]]]
    frames = [f for f in frames if len(f)]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if frame.empty:
        return normalise(pd.DataFrame(columns=["customer_id", "item_id", "order_id", "ordered_at", "group_id"]))
    return normalise(frame)


@dataclass
class PlatformCatalogue:
    """The trading platform's ids as its outbox told the lake (latest event per id wins)."""

    skus: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["sku_id", "sku_code", "name"]))
    offers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=[
        "offer_id", "supplier_id", "sku_id", "is_active", "lead_time_days", "available_quantity", "currency",
        "unit_price"]))
    suppliers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["supplier_id", "name"]))
    #: platform buyers seen in orders: user_id, business_unit
    buyers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["user_id", "business_unit"]))


def platform_catalogue(con: duckdb.DuckDBPyConnection) -> PlatformCatalogue:
    """SKUs, offers, approved suppliers and ordering buyers of the platform (empty without an outbox)."""
    if not _probe(con, OUTBOX):
        return PlatformCatalogue()
    skus = con.sql(f"""
select cast(json_extract(payload, '$.id') as bigint) as sku_id, json_extract_string(payload, '$.code') as sku_code,
       json_extract_string(payload, '$.name') as name
from {OUTBOX} where event_type = 'sku.created' order by sku_id""").df()
    offers = con.sql(f"""
select cast(aggregate_id as bigint) as offer_id, json_extract_string(payload, '$.supplier_id') as supplier_id,
       cast(json_extract(payload, '$.sku_id') as bigint) as sku_id,
       cast(json_extract(payload, '$.is_active') as boolean) as is_active,
       cast(json_extract(payload, '$.lead_time_days') as integer) as lead_time_days,
       cast(json_extract(payload, '$.available_quantity') as bigint) as available_quantity,
       json_extract_string(payload, '$.currency') as currency,
       try_cast(json_extract_string(payload, '$.price_tiers[0].unit_price') as double) as unit_price
from {OUTBOX} where event_type in ('offer.created', 'offer.changed')
qualify row_number() over (partition by aggregate_id order by sequence_id desc) = 1
order by offer_id""").df()
    suppliers = con.sql(f"""
select aggregate_id as supplier_id, json_extract_string(payload, '$.name') as name
from {OUTBOX} where event_type = 'supplier.approved'
qualify row_number() over (partition by aggregate_id order by sequence_id desc) = 1
order by supplier_id""").df()
    buyers = con.sql(f"""
select distinct cast(json_extract(payload, '$.buyer_user_id') as bigint) as user_id,
       json_extract_string(payload, '$.business_unit') as business_unit
from {OUTBOX} where event_type = 'order.placed' and json_extract(payload, '$.buyer_user_id') is not null
order by user_id""").df()
    return PlatformCatalogue(skus, offers, suppliers, buyers)


def item_names(con: duckdb.DuckDBPyConnection, sources: Sources | None = None) -> dict[str, str]:
    """SKU code -> material name (for reason texts)."""
    s = sources or Sources()
    rows = con.sql(f"select sku, any_value(name) from {s.materials} where sku is not null group by sku").fetchall()
    return {str(k): str(v) for k, v in rows}


def erp_offers(con: duckdb.DuckDBPyConnection, sources: Sources | None = None,
               config: FeatureConfig | None = None) -> pd.DataFrame:
    """Every ERP offer: ``vendor_id, business_unit_code, sku, valid_from, price_cny`` (first
    tier, at the rate of its first day), ``lead_time_days``."""
    s, c = sources or Sources(), config or FeatureConfig()
    return con.sql(f"""
with fx as ({fx_sql(s, c)}),
offers as (
    select o.vendor_id, v.business_unit_code, m.sku, cast(o.valid_from as date) as valid_from, o.currency,
           try_cast(json_extract_string(cast(o.price_tiers as varchar), '$[0].unit_price') as double) as price,
           cast(o.lead_time_days as double) as lead_time_days
    from {s.supplier_offers} o
    join {s.vendors} v on v.vendor_id = o.vendor_id
    join {s.materials} m on m.material_id = o.material_id
)
select vendor_id, business_unit_code, sku, valid_from,
       price * case when offers.currency = '{c.group_currency}' then 1.0 else fx.rate end as price_cny,
       lead_time_days
from offers asof left join fx on fx.from_currency = offers.currency and offers.valid_from >= fx.rate_date
order by vendor_id, sku, valid_from
""").df()


def vendor_directory(con: duckdb.DuckDBPyConnection, sources: Sources | None = None) -> pd.DataFrame:
    """``vendor_id, business_unit_code, vendor_name, status`` of every ERP vendor record."""
    s = sources or Sources()
    return con.sql(f"select vendor_id, business_unit_code, name as vendor_name, status from {s.vendors} "
                   "order by vendor_id").df()
