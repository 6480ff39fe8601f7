"""Fraud schemes no feature of the fraud model was written for (issue #14, honest evaluation).

The six patterns of :mod:`demo.fraud` are the ones the features encode. These two are injected
so the evaluation can say how a model does on a scheme nobody wrote a rule for; they are
*not* to be used to tune features. Both only rewrite prices of orders the simulator already
planned (no rows added), on their own random stream (``substream(seed, "fraud-unseen", tag)``),
so the other injected cases and the rest of the data stream stay as they were:

* ``ring_rotation`` — a ring of 2-3 buyers of one unit sends its orders to 3 colluding
  domestic vendors of that unit, which take turns (the order goes to the colluder whose turn
  it is, among the vendors of the ring that offer every material of the order) and charge
  6-12 % over their offer price, for a window of 90-150 days (at most
  :data:`RING_MAX_ORDERS` orders per case). No override is recorded: the
  lines carry the colluder's offer and the inflated price as the agreed price.
* ``price_creep`` — one domestic vendor (10-30 orders in the period) raises its prices slowly, 1-2 % per month from a start
  date, on every unit's orders; orders once the creep reaches 5 % are the cases (earlier
  ones are inflated too but not yet material).

Each function changes ``headers`` / ``lines`` in place (``unit_price``, ``line_amount``,
``total_amount``, for the ring also ``vendor``/``vendor_id``/``pair``/``offer_row``) and
returns truth rows as :mod:`demo.fraud` does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from demo.fraud import _case
from demo.procurement import vendor_pair_ranges
from demo.timebase import DAY
from demo.vendors import offer_price
from demo.world import World

UNSEEN_KINDS = ("ring_rotation", "price_creep")
#: price creep: a case once the creep reaches this share.
CREEP_MATERIAL = 0.05
MONTH = 30.4 * DAY
#: a ring case covers at most this many orders (the first ones of its window), the size of
#: the other schemes' cases, so no single case swamps the labels
RING_MAX_ORDERS = 12
#: price creep: vendors with this many orders in the period (a mid-sized supplier, not the busiest).
CREEP_ORDERS = (10, 30)


def _eligible(headers: pd.DataFrame, lines: pd.DataFrame, world: World) -> np.ndarray:
    """Orders not cancelled, not already a case, in CNY, to a domestic vendor, no overridden line."""
    overridden = np.zeros(len(headers), dtype=bool)
    over = np.isfinite(lines["price_overridden_at"].to_numpy(dtype=float))
    overridden[lines["po"].to_numpy()[over]] = True
    foreign = world.suppliers.vendors["is_foreign"].to_numpy()[headers["vendor"].to_numpy()]
    return ((headers["fraud_case"].to_numpy() == "") & ~np.isfinite(headers["_cancelled_at"].to_numpy(dtype=float))
            & (headers["currency"].to_numpy() == "CNY") & ~foreign & ~overridden)


def _retotal(headers: pd.DataFrame, lines: pd.DataFrame, orders: np.ndarray) -> None:
    """Line amounts and order totals (CNY orders: ``amount_cny`` too) of the changed ``orders``."""
    po = lines["po"].to_numpy()
    changed = np.isin(po, orders)
    lines.loc[changed, "line_amount"] = np.round(
        lines.loc[changed, "quantity"].to_numpy() * lines.loc[changed, "unit_price"].to_numpy(), 2)
    totals = np.round(np.bincount(po, weights=lines["line_amount"].to_numpy(), minlength=len(headers)), 2)
    headers.loc[orders, "total_amount"] = totals[orders]
    headers.loc[orders, "amount_cny"] = totals[orders]


def ring_rotation(world: World, headers: pd.DataFrame, lines: pd.DataFrame, n_cases: int,
                  rng: np.random.Generator, counters: dict[str, int]) -> list[tuple]:
    """Rings of buyers rotating their orders between 3 colluding vendors at 6-12 % over the offer."""
    sup = world.suppliers
    start, count = vendor_pair_ranges(world)
    pair_vendor, pair_material = sup.pairs["vendor"].to_numpy(), sup.pairs["material"].to_numpy()
    by_po = lines.groupby("po").indices
    out: list[tuple] = []
    created = headers["created_at"].to_numpy(dtype=float)
    t_min, t_max = float(np.nanmin(created)), float(np.nanmax(created))
    changed: list[int] = []
    for _ in range(n_cases):
        ok = _eligible(headers, lines, world)
        units = sorted(set(headers.loc[ok, "business_unit_code"]))
        if not units:
            break
        unit = units[int(rng.integers(0, len(units)))]
        in_unit = ok & (headers["business_unit_code"].to_numpy() == unit)
        vendors = headers.loc[in_unit, "vendor"].value_counts()
        if len(vendors) < 3:
            continue
        colluders = np.sort(rng.choice(vendors.index[: min(8, len(vendors))].to_numpy(), size=3, replace=False))
        buyers = headers.loc[in_unit, "buyer_id"].value_counts()
        ring = buyers.index[: min(len(buyers), int(rng.integers(2, 4)))].to_numpy()
        length = float(rng.uniform(90, 150)) * DAY
        begin = float(rng.uniform(t_min, max(t_min, t_max - length)))
        uplift = float(rng.uniform(1.06, 1.12))
        chosen = np.flatnonzero(in_unit & np.isin(headers["buyer_id"].to_numpy(), ring)
                                & (created >= begin) & (created < begin + length))
        chosen = chosen[np.argsort(created[chosen], kind="stable")]
        offers = {int(v): {int(pair_material[p]): int(p) for p in range(start[v], start[v] + count[v])}
                  for v in colluders}
        turn, taken = 0, []
        for p in chosen:
            if len(taken) == RING_MAX_ORDERS:
                break
            rows = by_po[p]
            materials = lines["material"].to_numpy()[rows]
            for step in range(3):
                vendor = int(colluders[(turn + step) % 3])
                if all(int(m) in offers[vendor] for m in materials):
                    break
            else:
                continue
            turn = (turn + step + 1) % 3
            pairs = np.array([offers[vendor][int(m)] for m in materials])
            quantity = lines["quantity"].to_numpy()[rows]
            offer_row, price = offer_price(sup, pairs, np.full(len(rows), created[p]), quantity, world.start_month)
            lines.loc[lines.index[rows], "pair"] = pairs
            lines.loc[lines.index[rows], "offer_row"] = offer_row
            lines.loc[lines.index[rows], "unit_price"] = np.round(price * uplift, 2)
            headers.at[p, "vendor"] = vendor
            headers.at[p, "vendor_id"] = sup.vendors["vendor_id"].iat[vendor]
            headers.at[p, "payment_terms_days"] = sup.vendors["payment_terms_days"].iat[vendor]
            assert (pair_vendor[pairs] == vendor).all()
            taken.append(p)
        changed += taken
        headers.loc[taken, "fraud_case"] = "ring_rotation"
        if len(taken) < 2:
            continue
        case = _case("RING", counters)
        headers.loc[taken, "fraud_case"] = "ring_rotation"
        ring_ids = ",".join(sorted(str(b) for b in ring))
        vendor_ids = ",".join(sup.vendors["vendor_id"].to_numpy()[colluders])
        for p in taken:
            out.append((case, "ring_rotation", "purchase_orders", headers.at[p, "purchase_order_id"], "vendors",
                        vendor_ids.replace(",", ";"),
                        f"ring {ring_ids} rotating {len(taken)} orders between {vendor_ids}, x{uplift:.3f} over offer"))
    _retotal(headers, lines, np.array(changed, dtype=int))
    return out


def price_creep(world: World, headers: pd.DataFrame, lines: pd.DataFrame, n_cases: int,
                rng: np.random.Generator, counters: dict[str, int]) -> list[tuple]:
    """Vendors raising prices 1-2 % a month from a start date; orders at >= 5 % are the cases."""
    out: list[tuple] = []
    created = headers["created_at"].to_numpy(dtype=float)
    t_min, t_max = float(np.nanmin(created)), float(np.nanmax(created))
    po_of_line = lines["po"].to_numpy()
    changed: list[np.ndarray] = []
    for _ in range(n_cases):
        ok = _eligible(headers, lines, world)
        vendors = headers.loc[ok, "vendor"].value_counts()
        vendors = vendors[(vendors >= CREEP_ORDERS[0]) & (vendors <= CREEP_ORDERS[1])].sort_index()
        if vendors.empty:
            break
        vendor = int(vendors.index[int(rng.integers(0, len(vendors)))])
        begin = float(rng.uniform(t_min, t_min + 0.5 * (t_max - t_min)))
        rate = float(rng.uniform(0.01, 0.02))
        hit = np.flatnonzero(ok & (headers["vendor"].to_numpy() == vendor) & (created >= begin))
        if len(hit) == 0:
            continue
        factor = 1 + rate * (created[hit] - begin) / MONTH
        per_po = np.ones(len(headers))
        per_po[hit] = factor
        affected = np.isin(po_of_line, hit)
        lines.loc[affected, "unit_price"] = np.round(
            lines.loc[affected, "unit_price"].to_numpy() * per_po[po_of_line[affected]], 2)
        changed.append(hit)
        case_rows = hit[factor - 1 >= CREEP_MATERIAL]
        headers.loc[hit, "fraud_case"] = "price_creep_early"
        headers.loc[case_rows, "fraud_case"] = "price_creep"
        if len(case_rows) == 0:
            continue
        case = _case("CREEP", counters)
        vendor_id = world.suppliers.vendors["vendor_id"].iat[vendor]
        for p in case_rows:
            out.append((case, "price_creep", "purchase_orders", headers.at[p, "purchase_order_id"], "vendors",
                        vendor_id, (f"{vendor_id} prices +{rate:.2%}/month since day {begin / DAY:.0f}: "
                                   f"x{per_po[p]:.3f} on this order")))
    _retotal(headers, lines, np.concatenate(changed) if changed else np.array([], dtype=int))
    return out
