"""The demo group's purchasing history as the sourcing replay reads it (issue #16 item 4).

Regenerates the demo's purchase orders with its own generator and seed — the same master data
(:func:`demo.world.build_world`) and the same random substreams the initial ERP period uses
(``po-plan``/``po-lines`` of tag ``init``: :func:`demo.procurement.plan_orders`,
:func:`~demo.procurement.build_lines`, :func:`~demo.procurement.price_overrides`) — without
building the lake. Left out: the fraud cases the ERP simulation injects afterwards (split
orders, off-hours overrides …), so these are the legitimate orders only, which also shifts
the random draws of the lines a little against the lake's copy (the split-order plans are
appended before the lines are drawn there).

The **held-out period** is the last ``months`` months of the window (default 8, the fraud
evaluation's held-out period). Offers: every vendor × material offer period overlapping it,
for the vendor's own business unit, from the vendor's onboarding to its blocking; prices
converted to CNY at the rate of the offer period's first day — the rate the generator priced
it with —, and the placed lines at the same rate, so FX moves are on neither side.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from demo.prices import month_start_day
from demo.procurement import build_lines, plan_orders, price_overrides
from demo.profile import load_profile
from demo.rng import substream
from demo.timebase import DAY
from demo.world import build_world
from models.sourcing.replay import HistoricOffer, PlacedLine

_EPOCH = dt.date(1970, 1, 1)


def _date(day_number: float) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day_number))


def demo_history(profile: str = "benchmark", scale: float = 1.0, seed: int = 42,
                 months: int = 8) -> tuple[list[PlacedLine], list[HistoricOffer], dict]:
    """(placed lines of the held-out period, offers in force during it, facts about both)."""
    world = build_world(load_profile(profile), scale, seed)
    n_po = world.count(world.profile.scale.purchase_orders)
    plan = plan_orders(world, world.start, world.end, n_po, substream(seed, "po-plan", "init"))
    rng = substream(seed, "po-lines", "init")
    lines = build_lines(world, plan, rng)
    price_overrides(world, plan, lines, rng)
    end_month = int(np.datetime64(int(world.end) - 1, "s").astype("datetime64[M]").astype("int64"))
    held_from = float(month_start_day(end_month - months + 1))  # day number
    sup = world.suppliers
    vendors, pairs, offers = sup.vendors, sup.pairs, sup.offers
    unit_of = vendors["business_unit_code"].to_numpy()
    vendor_ids = vendors["vendor_id"].to_numpy()
    created = np.floor(vendors["created_at"].to_numpy() / DAY)
    blocked = vendors["_blocked_at"].to_numpy() / DAY
    material_ids = world.catalogue.materials["material_id"].to_numpy()
    last_day = world.end / DAY - 1
    keep = (offers["valid_to"].to_numpy() >= held_from) & (offers["valid_from"].to_numpy() <= last_day)
    rate = world.fx.rate(offers["currency"].to_numpy(), offers["valid_from"].to_numpy())
    out_offers: list[HistoricOffer] = []
    pair_of = offers["pair"].to_numpy()
    for i in np.flatnonzero(keep):
        p = int(pair_of[i])
        v = int(pairs["vendor"].iat[p])
        start = max(float(offers["valid_from"].iat[i]), float(created[v]))
        if start > float(offers["valid_to"].iat[i]):
            continue
        tiers = tuple((float(t["min_qty"]), round(float(t["unit_price"]) * float(rate[i]), 4))
                      for t in offers["price_tiers"].iat[i])
        out_offers.append(HistoricOffer(
            str(offers["supplier_offer_id"].iat[i]), str(vendor_ids[v]),
            str(material_ids[int(pairs["material"].iat[p])]), float(offers["moq"].iat[i]),
            float(offers["order_multiple"].iat[i]), float(offers["lead_time_days"].iat[i]),
            tiers, _date(start), _date(offers["valid_to"].iat[i]), frozenset({str(unit_of[v])}),
            None if np.isnan(blocked[v]) else _date(np.floor(blocked[v]))))
    t = plan["t"].to_numpy()[lines["po"].to_numpy()]
    day = np.floor(t / DAY)
    held = day >= held_from
    offer_row = lines["offer_row"].to_numpy()
    placed = [
        PlacedLine(str(plan["unit"].iat[int(po)]), _date(d), str(offers["supplier_offer_id"].iat[int(r)]),
                   str(vendor_ids[int(pairs["vendor"].iat[int(pr)])]), str(material_ids[int(m)]),
                   float(q), round(float(u) * float(rate[int(r)]), 4))
        for po, d, r, pr, m, q, u in zip(
            lines["po"].to_numpy()[held], day[held], offer_row[held], lines["pair"].to_numpy()[held],
            lines["material"].to_numpy()[held], lines["quantity"].to_numpy()[held],
            lines["unit_price"].to_numpy()[held], strict=True)]
    known = {o.offer_id for o in out_offers}
    placed = [x for x in placed if x.offer_id in known]
    facts = {"profile": profile, "scale": scale, "seed": seed, "held_out_months": months,
             "held_out_from": _date(held_from).isoformat(),
             "held_out_to": _date(last_day).isoformat(),
             "purchase_orders_in_window": len(plan), "lines_held_out": len(placed),
             "offers_in_force": len(out_offers)}
    return placed, out_offers, facts
