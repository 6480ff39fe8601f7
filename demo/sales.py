"""Sales orders and lines for one period, from each customer's buying process.

A customer active in the period places Poisson(rate × active days) orders, on days drawn
from its owning unit's seasonal calendar, mostly for its preferred assortment. Prices
follow the category index with a margin and a tier discount; dealers buy smaller lots
than key accounts. Orders are shipped, delivered and closed (or, rarely, cancelled).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.catalogue_data import CATEGORIES
from demo.customers import seller_units
from demo.prices import month_number
from demo.procurement import DISCRETE_UOMS
from demo.timebase import (
    DAY,
    add_business_hours,
    business_time,
    day_number,
    day_weights,
    local_day,
)
from demo.world import World, category_array

TIER_FACTOR = {"A": 0.96, "B": 0.98, "C": 1.0, "D": 1.02}


def build_sales(world: World, customers: pd.DataFrame, t0: float, t1: float, rng: np.random.Generator,
                counters: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Sales orders (headers) and lines created in ``[t0, t1)``."""
    profile = world.profile
    first, n_days = int(t0 // DAY), max(1, round((t1 - t0) / DAY))
    festivals = [day_number(d) for d in profile.calendar.spring_festival_dates]
    lo = np.maximum(customers["birth"].to_numpy(), t0)
    hi = np.minimum(customers["death"].to_numpy(), t1)
    active = np.clip(hi - lo, 0, None) / DAY
    n_orders = rng.poisson(customers["rate"].to_numpy() * active)
    cust = np.repeat(np.arange(len(customers)), n_orders)
    units = customers["business_unit_code"].to_numpy()
    days = np.empty(len(cust))
    for unit in profile.units:
        m = units[cust] == unit.code
        if not m.any():
            continue
        w = day_weights(first, n_days, unit.seasonality, profile.calendar.weekend_factor, festivals,
                        profile.calendar.spring_festival_factor)
        cdf = np.concatenate([[0.0], np.cumsum(w)])
        a = np.clip((lo[cust[m]] / DAY) - first, 0, n_days)
        b = np.clip((hi[cust[m]] / DAY) - first, 0, n_days)
        fa = np.interp(a, np.arange(n_days + 1), cdf)
        fb = np.interp(b, np.arange(n_days + 1), cdf)
        u = fa + rng.random(m.sum()) * (fb - fa)
        days[m] = first + np.clip(np.searchsorted(cdf, u, side="right") - 1, 0, n_days - 1)
    t = np.clip(business_time(rng, days), np.maximum(lo[cust], t0), t1 - 1)
    n = len(cust)
    subs, whs = world.group.subsidiaries, world.group.warehouses
    sub_of_unit = {u: subs.loc[(subs["business_unit_code"] == u) & ~subs["is_overseas"], "subsidiary_id"].to_numpy()
                   for u in profile.unit_codes}
    overseas = {u: subs.loc[(subs["business_unit_code"] == u) & subs["is_overseas"], "subsidiary_id"].to_numpy()
                for u in profile.unit_codes}
    abroad = customers["country"].to_numpy()[cust] != "CN"
    sub = np.array([(overseas[u] if ab and len(overseas[u]) else sub_of_unit[u])[int(k) % max(1, len(
        overseas[u] if ab and len(overseas[u]) else sub_of_unit[u]))] for u, ab, k in
        zip(units[cust], abroad, rng.integers(0, 10**6, n), strict=True)], dtype=object)
    wh_by_sub = whs.groupby("subsidiary_id")["warehouse_id"].agg(list).to_dict()
    warehouse = np.array([wh_by_sub[s][int(k) % len(wh_by_sub[s])] for s, k in zip(sub, rng.integers(0, 1000, n),
                                                                                    strict=True)], dtype=object)
    shipped = add_business_hours(rng, t, 48.0, 0.7)
    delivered = np.floor(shipped + rng.uniform(6, 96, n) * 3600)
    cancelled = rng.random(n) < profile.sales.cancel_rate
    headers = pd.DataFrame({
        "business_unit_code": units[cust], "subsidiary_id": sub, "customer_id": customers["customer_id"].to_numpy()[cust],
        "order_date": local_day(t), "requested_delivery_date": local_day(t) + rng.integers(3, 21, n),
        "currency": customers["currency"].to_numpy()[cust], "sales_rep_id": customers["owner_user_id"].to_numpy()[cust],
        "warehouse_id": warehouse, "shipped_at": np.where(cancelled, np.nan, shipped),
        "delivered_at": np.where(cancelled, np.nan, delivered), "created_at": t,
        "_closed_at": np.where(cancelled, np.nan, np.floor(delivered + rng.uniform(10, 40, n) * DAY)),
        "_cancelled_at": np.where(cancelled, np.floor(t + rng.uniform(0.1, 1.0, n) * DAY), np.nan), "cust": cust,
    })
    lines = _lines(world, customers, headers, rng)
    headers["total_amount"] = np.round(np.bincount(lines["so"].to_numpy(), weights=lines["line_amount"].to_numpy(),
                                                   minlength=n), 2)
    order = np.argsort(t, kind="stable")
    seq = np.empty(n, dtype=np.int64)
    seq[order] = counters.get("sales_order", 0) + 1 + np.arange(n)
    counters["sales_order"] = counters.get("sales_order", 0) + n
    headers["sales_order_id"] = [f"SO-{u}-{s:07d}" for u, s in zip(headers["business_unit_code"], seq, strict=True)]
    so_ids = headers["sales_order_id"].to_numpy()[lines["so"].to_numpy()]
    lines["sales_order_id"] = so_ids
    lines["sales_order_line_id"] = [f"{s}-{k:03d}" for s, k in zip(so_ids, lines["line_number"], strict=True)]
    lines["created_at"] = headers["created_at"].to_numpy()[lines["so"].to_numpy()]
    return {"sales_orders": headers, "sales_order_lines": lines}


def _lines(world: World, customers: pd.DataFrame, headers: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    profile = world.profile
    n = len(headers)
    k = 1 + rng.poisson(max(profile.scale.sales_lines_per_order - 1, 0), n)
    so = np.repeat(np.arange(n), k)
    cust = headers["cust"].to_numpy()[so]
    mats = world.catalogue.materials
    sells = seller_units(profile.unit_codes)
    pools = {u: mats.index[mats["cat"].isin(sells[u])].to_numpy() for u in profile.unit_codes}
    assort = customers["assortment"].to_numpy()
    units = customers["business_unit_code"].to_numpy()
    own = rng.random(len(so)) < 0.8
    r = rng.integers(0, 10**9, len(so))
    material = np.array([a[x % len(a)] if o and len(a) else pools[u][x % len(pools[u])]
                         for a, u, o, x in zip(assort[cust], units[cust], own, r, strict=True)], dtype=np.int64)
    lines = pd.DataFrame({"so": so, "material": material}).drop_duplicates(["so", "material"])
    so, material = lines["so"].to_numpy(), lines["material"].to_numpy()
    cat = mats["cat"].to_numpy()[material]
    cust = headers["cust"].to_numpy()[so]
    dealer = customers["customer_type"].to_numpy()[cust] == "dealer"
    lo, hi = category_array("qty")[:, 0][cat].astype(float), category_array("qty")[:, 1][cat].astype(float)
    mult = category_array("multiple")[cat].astype(float)
    qty = np.exp(rng.uniform(np.log(lo), np.log(hi))) * np.where(dealer, 0.4, 1.0)
    qty = np.maximum(mult, np.round(qty / mult) * mult)
    t = headers["created_at"].to_numpy()[so]
    month = np.clip(month_number(t) - world.start_month, 0, world.price_index.shape[1] - 1)
    tier = customers["tier"].to_numpy()[cust]
    price_cny = (mats["standard_price"].to_numpy()[material] * world.price_index[cat, month] * 1.08
                 * np.array([TIER_FACTOR[x] for x in tier]) * (1 + rng.normal(0, 0.01, len(so))))
    currency = headers["currency"].to_numpy()[so]
    price = np.round(price_cny / world.fx.rate(currency, np.floor(t / DAY)), 2)
    uom = np.array([c["uom"] for c in CATEGORIES], dtype=object)[cat]
    qty = np.where(np.isin(uom, list(DISCRETE_UOMS)), np.round(qty), qty)
    lines = lines.assign(material_id=mats["material_id"].to_numpy()[material], quantity=qty, uom=uom,
                         unit_price=price, currency=currency, line_amount=np.round(qty * price, 2), cat=cat)
    lines["line_number"] = lines.groupby("so").cumcount() + 1
    return lines.reset_index(drop=True)

