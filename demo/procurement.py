"""Purchase orders and their lines for one period, vectorised.

Order intake follows each unit's calendar; vendors are drawn by activity among those
onboarded and not blocked at the order time; lines pick materials the vendor offers,
quantities from the category's range rounded to the offer's multiple and MOQ, and the
tiered offer price valid that day. Approval needs a director above the unit's limit;
suppliers acknowledge after a company-specific delay (or never, in the system). All
future timestamps are simulated too: :mod:`demo.lifecycle` shows each row as it
looks at a cutoff.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.catalogue_data import CATEGORIES
from demo.demand import plan_unit_demand
from demo.geo import haversine_km
from demo.timebase import (
    DAY,
    add_business_hours,
    business_time,
    day_number,
    day_weights,
    local_day,
)
from demo.vendors import offer_price
from demo.world import World, category_array

DISCRETE_UOMS = {"台", "套", "件", "个", "根", "桶", "立方米"}


def vendor_pair_ranges(world: World) -> tuple[np.ndarray, np.ndarray]:
    """First pair index and pair count of every vendor (pairs are grouped by vendor)."""
    pv = world.suppliers.pairs["vendor"].to_numpy()
    n = len(world.suppliers.vendors)
    start = np.searchsorted(pv, np.arange(n), side="left")
    end = np.searchsorted(pv, np.arange(n), side="right")
    return start, end - start


def plan_orders(world: World, t0: float, t1: float, n_orders: int, rng: np.random.Generator) -> pd.DataFrame:
    """Order headers to create in ``[t0, t1)``: unit, vendor, subsidiary, warehouse, buyer, time.

    How many orders a unit places and when follows its calendar; who orders which vendor's
    offers follows the buyers' demand model (:mod:`demo.demand`: reorder rhythms, segment
    bundles, exploration), which also plans the lines (``planned_pairs``).
    """
    profile = world.profile
    shares = np.array([u.purchase_share for u in profile.units])
    unit_idx = np.sort(rng.choice(len(profile.units), size=n_orders, p=shares / shares.sum()))
    first, n_days = int(t0 // DAY), max(1, round((t1 - t0) / DAY))
    festivals = [day_number(d) for d in profile.calendar.spring_festival_dates]
    frames = []
    subs, whs = world.group.subsidiaries, world.group.warehouses
    for ui, unit in enumerate(profile.units):
        n = int((unit_idx == ui).sum())
        if n == 0:
            continue
        w = day_weights(first, n_days, unit.seasonality, profile.calendar.weekend_factor, festivals,
                        profile.calendar.spring_festival_factor)
        days = first + rng.choice(n_days, size=n, p=w)
        t = np.clip(business_time(rng, days.astype(float)), t0, t1 - 1)
        sub_ids = subs.loc[subs["business_unit_code"] == unit.code, "subsidiary_id"].to_numpy()
        sub_w = np.where(subs.loc[subs["business_unit_code"] == unit.code, "is_overseas"].to_numpy(), 0.3, 1.0)
        sub = sub_ids[rng.choice(len(sub_ids), size=n, p=sub_w / sub_w.sum())]
        wh_by_sub = whs.groupby("subsidiary_id")["warehouse_id"].agg(list).to_dict()
        warehouse = np.array([wh_by_sub[s][int(k) % len(wh_by_sub[s])] for s, k in
                              zip(sub, rng.integers(0, 1000, n), strict=True)], dtype=object)
        demand = plan_unit_demand(world, unit.code, t, t0, t1, rng)
        frames.append(pd.DataFrame({
            "unit": unit.code, "vendor": demand["vendor"].to_numpy(), "subsidiary_id": sub,
            "warehouse_id": warehouse, "buyer_id": demand["buyer_id"].to_numpy(), "t": demand["t"].to_numpy(),
            "forced_pair": -1, "target_cny": np.nan, "fraud_case": "",
            "planned_pairs": demand["planned_pairs"].to_numpy(), "demand_kind": demand["demand_kind"].to_numpy(),
        }))
    return pd.concat(frames, ignore_index=True)


def build_lines(world: World, plan: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Order lines for ``plan`` (row order = plan order): pair, quantity, offer, price."""
    sup = world.suppliers
    start, count = vendor_pair_ranges(world)
    forced = plan["forced_pair"].to_numpy() >= 0
    planned = (plan["planned_pairs"].to_numpy() if "planned_pairs" in plan
               else np.array([np.zeros(0, dtype=np.int64)] * len(plan), dtype=object))
    n_planned = np.array([len(p) if isinstance(p, np.ndarray) else 0 for p in planned], dtype=np.int64)
    n_planned[forced] = 0
    n_lines = np.where(forced, 1, 1 + rng.poisson(max(world.profile.scale.lines_per_order - 1, 0), len(plan)))
    vendor = plan["vendor"].to_numpy()
    n_lines = np.where(n_planned > 0, 0, np.minimum(n_lines, count[vendor]))
    first = np.floor(rng.random(len(plan)) * count[vendor]).astype(int)
    po = np.repeat(np.arange(len(plan)), n_lines)
    k = np.arange(len(po)) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    vendor = vendor[po]
    pair = start[vendor] + (first[po] + k) % count[vendor]
    pair = np.where(forced[po], plan["forced_pair"].to_numpy()[po], pair)
    has_plan = np.flatnonzero(n_planned > 0)
    if len(has_plan):  # the demand model chose the offers (a bundle)
        po = np.concatenate([po, np.repeat(has_plan, n_planned[has_plan])])
        pair = np.concatenate([pair, np.concatenate([planned[i] for i in has_plan])])
    lines = pd.DataFrame({"po": po, "pair": pair}).sort_values("po", kind="stable")
    lines = lines.drop_duplicates(["po", "pair"], keep="first")
    po, pair = lines["po"].to_numpy(), lines["pair"].to_numpy()
    cat = sup.pairs["cat"].to_numpy()[pair]
    lo, hi = category_array("qty")[:, 0][cat].astype(float), category_array("qty")[:, 1][cat].astype(float)
    multiple, moq = sup.pairs["multiple"].to_numpy()[pair], sup.pairs["moq"].to_numpy()[pair]
    qty = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    qty = np.maximum(moq, np.ceil(qty / multiple) * multiple)
    t = plan["t"].to_numpy()[po]
    target = plan["target_cny"].to_numpy()[po]
    split = np.isfinite(target)
    if split.any():
        currency = sup.pairs["currency"].to_numpy()[pair[split]]
        rate = world.fx.rate(currency, np.floor(t[split] / DAY))
        _, p0 = offer_price(sup, pair[split], t[split], moq[split], world.start_month)
        q1 = np.maximum(moq[split], np.floor(target[split] / rate / p0 / multiple[split]) * multiple[split])
        _, p1 = offer_price(sup, pair[split], t[split], q1, world.start_month)
        qty[split] = np.maximum(moq[split], np.floor(target[split] / rate / p1 / multiple[split]) * multiple[split])
    offer_row, price = offer_price(sup, pair, t, qty, world.start_month)
    lines = lines.assign(cat=cat, quantity=qty, offer_row=offer_row, unit_price=price,
                         currency=sup.pairs["currency"].to_numpy()[pair],
                         uom=np.array([CATEGORIES[c]["uom"] for c in range(len(CATEGORIES))])[cat],
                         material=sup.pairs["material"].to_numpy()[pair])
    lines["line_number"] = lines.groupby("po").cumcount() + 1
    return lines.reset_index(drop=True)


def price_overrides(world: World, plan: pd.DataFrame, lines: pd.DataFrame, rng: np.random.Generator) -> None:
    """Legitimate manual price changes by the buyer shortly after creating the order (in place)."""
    n = len(lines)
    hit = (rng.random(n) < world.profile.procurement.price_override_rate) & ~np.isfinite(
        plan["target_cny"].to_numpy()[lines["po"].to_numpy()])
    decimals = np.where(np.isin(lines["currency"].to_numpy(), ["JPY", "IDR"]), 0, 2)
    new = np.round(lines["unit_price"].to_numpy() * (1 + rng.uniform(-0.05, 0.05, n)) * 10.0**decimals) / 10.0**decimals
    lines["unit_price"] = np.where(hit, new, lines["unit_price"].to_numpy())
    t = plan["t"].to_numpy()[lines["po"].to_numpy()]
    lines["price_overridden_at"] = np.where(hit, np.floor(t + rng.uniform(300, 3600, n)), np.nan)
    lines["price_overridden_by"] = np.where(hit, plan["buyer_id"].to_numpy()[lines["po"].to_numpy()], None)
    lines["line_amount"] = np.round(lines["quantity"].to_numpy() * lines["unit_price"].to_numpy(), 2)


def order_headers(world: World, plan: pd.DataFrame, lines: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Totals, approval, acknowledgement, promised date and cancellation of every planned order."""
    prof = world.profile.procurement
    v = world.suppliers.vendors
    n = len(plan)
    po = lines["po"].to_numpy()
    total = np.round(np.bincount(po, weights=lines["line_amount"].to_numpy(), minlength=n), 2)
    vendor = plan["vendor"].to_numpy()
    currency = v["currency"].to_numpy()[vendor]
    t = plan["t"].to_numpy()
    day = np.floor(t / DAY)
    amount_cny = total * world.fx.rate(currency, day)
    limits = np.array([world.profile.unit(u).approval_limit_cny for u in plan["unit"]], dtype=float)
    level = np.where(amount_cny > limits, 2, 1)
    approved_by = np.empty(n, dtype=object)
    for unit in np.unique(plan["unit"].to_numpy()):
        m = plan["unit"].to_numpy() == unit
        approvers, directors = world.users_of(unit, "approver"), world.users_of(unit, "director")
        approved_by[m] = np.where(level[m] == 2, directors[rng.integers(0, len(directors), m.sum())],
                                  approvers[rng.integers(0, len(approvers), m.sum())])
    approved_at = add_business_hours(rng, t + 3600, np.where(level == 2, 20.0, 3.0))
    company = v["company"].to_numpy()[vendor]
    slow = world.suppliers.company_truth["slow_acknowledger"].to_numpy()[company]
    ack = add_business_hours(rng, approved_at, np.where(slow, prof.ack_slow_median_hours, prof.ack_median_hours), 0.9)
    ack = np.where(rng.random(n) < prof.ack_missing_rate, np.nan, ack)
    lead = world.suppliers.pairs["lead_time_days"].to_numpy()[lines["pair"].to_numpy()]
    max_lead = np.zeros(n)
    np.maximum.at(max_lead, po, lead)
    wh = world.group.warehouses.set_index("warehouse_id")
    dist = haversine_km(v["lat"].to_numpy()[vendor], v["lon"].to_numpy()[vendor],
                        wh.loc[plan["warehouse_id"], "latitude"].to_numpy(), wh.loc[plan["warehouse_id"], "longitude"].to_numpy())
    transit_days = np.where(v["is_foreign"].to_numpy()[vendor], 0, np.ceil(dist * 1.25 / 450))
    promised = local_day(t) + max_lead + transit_days + rng.integers(0, 3, n)
    cancelled = (rng.random(n) < prof.cancel_rate) & (plan["fraud_case"].to_numpy() == "")
    headers = pd.DataFrame({
        "business_unit_code": plan["unit"].to_numpy(), "subsidiary_id": plan["subsidiary_id"].to_numpy(),
        "vendor": vendor, "vendor_id": v["vendor_id"].to_numpy()[vendor], "buyer_id": plan["buyer_id"].to_numpy(),
        "order_date": local_day(t), "currency": currency, "total_amount": total, "amount_cny": amount_cny,
        "warehouse_id": plan["warehouse_id"].to_numpy(), "promised_date": promised, "approval_level": level,
        "approval_limit": limits, "approved_by": approved_by, "approved_at": approved_at, "acknowledged_at": ack,
        "payment_terms_days": v["payment_terms_days"].to_numpy()[vendor],
        "incoterm": world.suppliers.pairs["incoterm"].to_numpy()[lines.groupby("po")["pair"].first().to_numpy()],
        "created_at": t, "_cancelled_at": np.where(cancelled, np.floor(approved_at + rng.uniform(1, 10, n) * DAY), np.nan),
        "fraud_case": plan["fraud_case"].to_numpy(),
    })
    return headers


def assign_ids(headers: pd.DataFrame, lines: pd.DataFrame, counters: dict[str, int]) -> None:
    """Number orders by creation time (``PO-<UNIT>-<seq>``) and lines ``<po>-<line>`` (in place)."""
    order = np.argsort(headers["created_at"].to_numpy(), kind="stable")
    seq = np.empty(len(headers), dtype=np.int64)
    seq[order] = counters.get("po", 0) + 1 + np.arange(len(headers))
    counters["po"] = counters.get("po", 0) + len(headers)
    headers["purchase_order_id"] = [f"PO-{u}-{s:07d}" for u, s in zip(headers["business_unit_code"], seq, strict=True)]
    po_ids = headers["purchase_order_id"].to_numpy()[lines["po"].to_numpy()]
    lines["purchase_order_id"] = po_ids
    lines["purchase_order_line_id"] = [f"{p}-{n:03d}" for p, n in zip(po_ids, lines["line_number"], strict=True)]
