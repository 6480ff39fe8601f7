"""The online risk guard's history profiles (``gold.risk_profiles``), keyed by platform ids.

What the transactional service's rules and online model compare an order with
(``transactional/risk``), computed from the group's whole purchase history: the ERP's
purchase orders (``bronze.erp__purchase_orders`` × lines × materials; cancelled ones left
out) and the platform's own orders (``order.placed`` in ``bronze.tx__outbox_events``; orders
later cancelled, rejected, refused by a risk review or expired left out). Amounts in the
group currency at the ERP's dated reference rate.

ERP records map to the platform's ids the way the platform was seeded: a unit's code is its
``business_unit``, a vendor's id its ``supplier_id``, a material's SKU code the platform SKU
of that code (``sku.created`` events); lines of SKUs not on the platform are left out of the
SKU profiles. One row per subject:

=============================  ===============================================================
``sku:<sku id>``               market: orders, unit-price median, quantity median / p95
``supplier:<supplier id>``     orders, first and last order (a supplier new to the group)
``bu_sku:<unit>:<sku id>``     the unit's own quantity median / p95 for the SKU
``bu_supplier:<unit>:<sup>``   the unit's orders with the supplier, amount median / p95
=============================  ===============================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa

from models.ml.features.sources import FeatureConfig, Sources, fx_sql
from models.ml.recommend.lake import OUTBOX, _probe, platform_catalogue

if TYPE_CHECKING:
    import duckdb

#: order events after which a placed platform order did not happen.
UNDONE = ("order.cancelled", "order.rejected", "order.refused", "order.approval_expired")
LINE_COLUMNS = ["business_unit", "supplier_id", "sku_code", "sku_id", "order_id", "ordered_at", "quantity",
                "unit_price", "order_amount"]
PROFILE_SCHEMA = pa.schema([
    pa.field("subject", pa.string(), nullable=False),
    pa.field("scope", pa.string(), nullable=False),
    pa.field("business_unit", pa.string()),
    pa.field("supplier_id", pa.string()),
    pa.field("sku_id", pa.int64()),
    pa.field("currency", pa.string()),
    pa.field("order_count", pa.int64(), nullable=False),
    pa.field("quantity_median", pa.float64()),
    pa.field("quantity_p95", pa.float64()),
    pa.field("unit_price_median", pa.float64()),
    pa.field("amount_median", pa.float64()),
    pa.field("amount_p95", pa.float64()),
    pa.field("first_order_at", pa.timestamp("us", tz="UTC")),
    pa.field("last_order_at", pa.timestamp("us", tz="UTC")),
])


def erp_order_lines(con: duckdb.DuckDBPyConnection, sources: Sources | None = None,
                    config: FeatureConfig | None = None) -> pd.DataFrame:
    """ERP purchase-order lines (:data:`LINE_COLUMNS`, ``sku_id`` null), group currency."""
    s, c = sources or Sources(), config or FeatureConfig()
    return con.sql(f"""
with fx as ({fx_sql(s, c)}),
lines as (
    select po.business_unit_code as business_unit, po.vendor_id as supplier_id, m.sku as sku_code,
           po.purchase_order_id as order_id, cast(po.created_at as timestamptz) as ordered_at,
           cast(l.quantity as double) as quantity, cast(l.unit_price as double) as unit_price,
           cast(po.total_amount as double) as order_amount, l.currency, cast(po.order_date as date) as order_date
    from {s.purchase_orders} po
    join {s.purchase_order_lines} l on l.purchase_order_id = po.purchase_order_id
    join {s.materials} m on m.material_id = l.material_id
    where coalesce(po.status, '') <> 'cancelled'
)
select business_unit, supplier_id, sku_code, cast(null as bigint) as sku_id, order_id, ordered_at, quantity,
       unit_price * case when lines.currency = '{c.group_currency}' then 1.0 else fx.rate end as unit_price,
       order_amount * case when lines.currency = '{c.group_currency}' then 1.0 else fx.rate end as order_amount
from lines asof left join fx on fx.from_currency = lines.currency and lines.order_date >= fx.rate_date
order by ordered_at, order_id
""").df()[LINE_COLUMNS]


def platform_order_lines(con: duckdb.DuckDBPyConnection, sources: Sources | None = None,
                         config: FeatureConfig | None = None) -> pd.DataFrame:
    """The platform's order lines from its outbox (:data:`LINE_COLUMNS`), group currency."""
    if not _probe(con, OUTBOX):
        return pd.DataFrame(columns=LINE_COLUMNS)
    s, c = sources or Sources(), config or FeatureConfig()
    undone = ", ".join(f"'{e}'" for e in UNDONE)
    has_fx = _probe(con, s.fx_rates)
    fx = fx_sql(s, c) if has_fx else "select cast(null as date) as rate_date, '' as from_currency, 1.0 as rate"
    return con.sql(f"""
with fx as ({fx}),
placed as (select aggregate_id as order_id, payload, occurred_at from {OUTBOX} where event_type = 'order.placed'),
undone as (select distinct aggregate_id from {OUTBOX} where event_type in ({undone})),
lines as (
    select p.order_id, json_extract_string(p.payload, '$.business_unit') as business_unit,
           json_extract_string(p.payload, '$.supplier_id') as supplier_id,
           json_extract_string(p.payload, '$.currency') as currency,
           try_cast(json_extract_string(p.payload, '$.total_amount') as double) as order_amount,
           coalesce(try_cast(json_extract_string(p.payload, '$.placed_at') as timestamptz), p.occurred_at)
               as ordered_at,
           unnest(from_json(json_extract(p.payload, '$.lines'),
                            '[{{"sku_id": "BIGINT", "quantity": "DOUBLE", "unit_price": "VARCHAR"}}]')) as line
    from placed p where p.order_id not in (select aggregate_id from undone)
),
dated as (select *, cast(ordered_at as date) as order_date from lines)
select business_unit, supplier_id, cast(null as varchar) as sku_code, line.sku_id as sku_id,
       'platform:' || order_id as order_id, ordered_at, line.quantity as quantity,
       try_cast(line.unit_price as double)
           * case when dated.currency = '{c.group_currency}' then 1.0 else fx.rate end as unit_price,
       order_amount * case when dated.currency = '{c.group_currency}' then 1.0 else fx.rate end as order_amount
from dated asof left join fx on fx.from_currency = dated.currency and dated.order_date >= fx.rate_date
order by ordered_at, order_id
""").df()[LINE_COLUMNS]


def _quantiles(frame: pd.DataFrame, keys: list[str], column: str) -> pd.DataFrame:
    grouped = frame.groupby(keys, sort=True)[column]
    return pd.DataFrame({f"{column}_median": grouped.median(), f"{column}_p95": grouped.quantile(0.95)})


def build_profiles(lines: pd.DataFrame, sku_ids: dict[str, int], currency: str = "CNY") -> pd.DataFrame:
    """The profile rows (:data:`PROFILE_SCHEMA`) of order lines (:data:`LINE_COLUMNS`).

    Args:
        lines: ERP and platform lines; ERP lines carry ``sku_code``, platform lines ``sku_id``.
        sku_ids: platform SKU id by SKU code (ERP lines of other codes stay out of SKU profiles).
        currency: the currency of the amounts (the group currency).
    """
    columns = [f.name for f in PROFILE_SCHEMA]
    if lines.empty:
        return pd.DataFrame(columns=columns)
    lines = lines.copy()
    mapped = lines["sku_code"].map(sku_ids)
    lines["sku_id"] = pd.to_numeric(lines["sku_id"], errors="coerce").fillna(mapped).astype("Int64")
    lines["ordered_at"] = pd.to_datetime(lines["ordered_at"], utc=True)
    orders = lines.drop_duplicates("order_id")
    out = []

    def finish(frame: pd.DataFrame, scope: str, subject) -> None:
        frame = frame.reset_index()
        frame["scope"] = scope
        frame["subject"] = [subject(r) for r in frame.itertuples(index=False)]
        out.append(frame)

    on_platform = lines[lines["sku_id"].notna()]
    if len(on_platform):
        sku = _quantiles(on_platform, ["sku_id"], "quantity").join(
            on_platform.groupby("sku_id")["unit_price"].median().rename("unit_price_median")).join(
            on_platform.groupby("sku_id")["order_id"].nunique().rename("order_count"))
        finish(sku, "sku", lambda r: f"sku:{r.sku_id}")
        own = _quantiles(on_platform, ["business_unit", "sku_id"], "quantity").join(
            on_platform.groupby(["business_unit", "sku_id"])["order_id"].nunique().rename("order_count"))
        finish(own, "bu_sku", lambda r: f"bu_sku:{r.business_unit}:{r.sku_id}")
    supplier = orders.groupby("supplier_id").agg(order_count=("order_id", "size"),
                                                 first_order_at=("ordered_at", "min"),
                                                 last_order_at=("ordered_at", "max"))
    finish(supplier, "supplier", lambda r: f"supplier:{r.supplier_id}")
    pair = orders.groupby(["business_unit", "supplier_id"]).agg(
        order_count=("order_id", "size"), amount_median=("order_amount", "median"),
        amount_p95=("order_amount", lambda a: a.quantile(0.95)), first_order_at=("ordered_at", "min"),
        last_order_at=("ordered_at", "max"))
    finish(pair, "bu_supplier", lambda r: f"bu_supplier:{r.business_unit}:{r.supplier_id}")
    frame = pd.concat(out, ignore_index=True)
    frame["currency"] = currency
    for column in columns:
        if column not in frame:
            frame[column] = None
    frame["order_count"] = frame["order_count"].astype(int)
    return frame[columns].sort_values("subject", kind="stable").reset_index(drop=True)


def risk_profiles(con: duckdb.DuckDBPyConnection, sources: Sources | None = None,
                  config: FeatureConfig | None = None) -> pd.DataFrame:
    """``gold.risk_profiles`` rows from the lake's ERP and platform history."""
    c = config or FeatureConfig()
    frames = [f for f in (erp_order_lines(con, sources, c), platform_order_lines(con, sources, c)) if len(f)]
    lines = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=LINE_COLUMNS)
    skus = platform_catalogue(con).skus
    sku_ids = {str(code): int(i) for code, i in zip(skus["sku_code"], skus["sku_id"], strict=True)}
    return build_profiles(lines, sku_ids, c.group_currency)


def profile_problems(rows: pd.DataFrame) -> dict[str, str]:
    """Failed checks of the profile rows -> why (empty when all pass)."""
    problems: dict[str, str] = {}
    if rows.empty:
        return problems
    duplicated = int(rows["subject"].duplicated().sum())
    if duplicated:
        problems["one_row_per_subject"] = f"{duplicated} duplicated subject(s)"
    if (rows["order_count"] <= 0).any():
        problems["order_count_positive"] = f"{int((rows['order_count'] <= 0).sum())} row(s) without orders"
    return problems
