"""Who buys what, and when: the buyers' reorder rhythms and the affinities they share.

The demand model behind every purchase order of the demo group (settings in the profile's
``[demand]`` section). It exists so that a recommender has something true to find: a model
can beat "repeat your own most frequent" only by using *both* signals below.

* **Buyers differ in volume.** Each buyer of a unit has an activity ~ lognormal(0,
  ``buyer_activity_sigma``): its share of the unit's orders. A few buyers order daily, many
  order a few times a quarter.
* **Segments and bundles (cross-buyer affinity).** A unit's buyers are split into segments
  (plant types: ~``buyers_per_segment`` buyers each). Every segment has a pool of
  ``segment_bundles`` *bundles*: one vendor of the unit (drawn by vendor activity, each
  vendor once before any twice) and 1-3 of the materials it offers, which are ordered together; each bundle has a weight in the
  segment ~ lognormal(0, 1). Buyers of one segment buy from the same pool, so what a buyer
  has not bought yet is best predicted by what its peers buy.
* **New products spread through segments.** Besides its base pool, each segment gains new
  bundles over time (``new_bundles_per_year``; a new material or supplier the plant type
  starts using). From its introduction a bundle's weight is boosted by
  ``1 + novelty_boost * exp(-age / novelty_days)``: the segment's buyers pick it up within
  weeks, so a buyer's first order of it is foreseeable only from what its peers just bought.
* **Reorder rhythm.** Each buyer takes a few bundles of its segment's pool (by weight) as
  *regulars*, each with its own period P (days) and phase: it is ordered at
  ``phase + k·P`` ± ``period_jitter``·P (moved off weekends). Periods are set so that
  regulars make up ``rhythm_share`` of the buyer's expected orders; a sequence depends only
  on (seed, buyer, bundle), so ``advance`` continues the same rhythm. A regular whose vendor
  is not orderable at that time (not onboarded yet, blocked) becomes an ad-hoc order.
* **Ad hoc.** The unit's remaining orders (its total and seasonality as before): a buyer by
  activity, then with probability ``1 - explore_share`` a bundle of the buyer's segment by
  weight, else any orderable vendor of the unit by activity with random offers (the old
  behaviour: exploration, noise).
* **Lines.** Each material of a bundle is on the order with probability
  ``bundle_item_prob`` (at least one): items bought together, not always all together.

Ground truth for evaluation: :func:`demand_truth` (segment, regular bundles and periods).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.rng import substream
from demo.timebase import DAY, business_time
from demo.world import World

#: regulars are simulated this many days past the window (``advance`` reads them).
HORIZON_DAYS = 366 * 5


@dataclass
class UnitDemand:
    """The demand model of one business unit (see the module docstring)."""

    buyers: np.ndarray  # user ids
    activity: np.ndarray  # share of the unit's orders per buyer (sums to 1)
    segment: np.ndarray  # segment index per buyer
    bundle_vendor: np.ndarray  # vendor index per bundle
    bundle_pairs: list[np.ndarray]  # (vendor, material) pair indices per bundle
    bundle_segment: np.ndarray  # segment per bundle
    bundle_weight: np.ndarray  # base weight within its segment
    bundle_intro: np.ndarray  # seconds from which the bundle exists (-inf: from the start)
    regulars: pd.DataFrame  # buyer (index), bundle, period_days, phase_s


def _vendor_pairs(world: World) -> tuple[np.ndarray, np.ndarray]:
    pv = world.suppliers.pairs["vendor"].to_numpy()
    n = len(world.suppliers.vendors)
    start = np.searchsorted(pv, np.arange(n), side="left")
    return start, np.searchsorted(pv, np.arange(n), side="right") - start


def build_unit_demand(world: World, unit: str) -> UnitDemand:
    """The deterministic demand model of ``unit`` (cached on the world)."""
    key = f"demand/{unit}"
    if key in world.lookups:
        return world.lookups[key]  # type: ignore[return-value]
    prof, d = world.profile, world.profile.demand
    rng = substream(world.seed, "demand", unit)
    buyers = world.users_of(unit, "buyer")
    activity = rng.lognormal(0.0, d.buyer_activity_sigma, len(buyers))
    activity /= activity.sum()
    n_segments = max(1, round(len(buyers) / d.buyers_per_segment))
    segment = rng.permutation(np.arange(len(buyers)) % n_segments)
    v = world.suppliers.vendors
    vendor_idx = np.flatnonzero((v["business_unit_code"] == unit).to_numpy())
    vendor_w = v["activity"].to_numpy()[vendor_idx]
    start, count = _vendor_pairs(world)
    bundle_vendor, bundle_pairs, bundle_segment, bundle_weight = [], [], [], []
    bundle_intro = []
    used = np.zeros(len(vendor_idx), dtype=bool)  # vendors already in a bundle of the unit
    span_years = (world.end + HORIZON_DAYS * DAY - world.start) / (365.25 * DAY)
    for s in range(n_segments):
        n_new = int(rng.poisson(d.new_bundles_per_year * span_years))
        intro = np.concatenate([np.full(d.segment_bundles, -np.inf),
                                np.sort(rng.uniform(world.start, world.end + HORIZON_DAYS * DAY, n_new))])
        bundle_intro.extend(intro.tolist())
        for _ in range(len(intro)):
            vendor = int(vendor_idx[_draw_vendor(rng, vendor_w, used)])
            size = int(min(count[vendor], rng.integers(1, 4)))
            first = int(rng.integers(0, count[vendor]))
            pairs = start[vendor] + (first + np.arange(size)) % count[vendor]
            bundle_vendor.append(vendor)
            bundle_pairs.append(np.unique(pairs))
            bundle_segment.append(s)
            bundle_weight.append(rng.lognormal(0.0, 1.0))
    bundle_vendor_a, bundle_segment_a = np.array(bundle_vendor), np.array(bundle_segment)
    bundle_weight_a = np.array(bundle_weight)
    bundle_intro_a = np.array(bundle_intro)
    share = prof.unit(unit).purchase_share / sum(u.purchase_share for u in prof.units)
    unit_orders = prof.scale.purchase_orders * world.scale * share
    rows = []
    for b in range(len(buyers)):
        expected = unit_orders * activity[b] * d.rhythm_share
        n_regular = int(np.clip(round(expected / d.min_cycles_per_regular), d.regulars_min, d.regulars_max))
        pool = np.flatnonzero((bundle_segment_a == segment[b]) & ~np.isfinite(bundle_intro_a))
        w = bundle_weight_a[pool]
        chosen = rng.choice(pool, size=min(n_regular, len(pool)), replace=False, p=w / w.sum())
        freq = rng.lognormal(0.0, 0.6, len(chosen))
        per_window = expected * freq / freq.sum()
        period = np.clip(world.window_days / np.maximum(per_window, 1e-9), d.period_min_days, d.period_max_days)
        phase = world.start + rng.uniform(0, 1, len(chosen)) * period * DAY
        rows += [(b, int(c), float(p), float(ph)) for c, p, ph in zip(chosen, period, phase, strict=True)]
    regulars = pd.DataFrame(rows, columns=["buyer", "bundle", "period_days", "phase_s"])
    demand = UnitDemand(buyers, activity, segment, bundle_vendor_a, bundle_pairs, bundle_segment_a,
                        bundle_weight_a, bundle_intro_a, regulars)
    world.lookups[key] = demand
    return demand


def _draw_vendor(rng: np.random.Generator, weights: np.ndarray, used: np.ndarray) -> int:
    """A vendor by activity, among those in no bundle yet while there are any (every vendor
    record of the unit supplies some segment when there are enough bundles)."""
    w = np.where(used, 0.0, weights) if not used.all() else weights
    pick = int(rng.choice(len(w), p=w / w.sum()))
    used[pick] = True
    return pick


def _orderable(world: World, vendors: np.ndarray, t: np.ndarray) -> np.ndarray:
    v = world.suppliers.vendors
    created, blocked = v["created_at"].to_numpy()[vendors], v["_blocked_at"].to_numpy()[vendors]
    return (created <= t - DAY) & ~(blocked <= t)


def regular_occurrences(world: World, demand: UnitDemand, t0: float, t1: float) -> pd.DataFrame:
    """Regular (rhythm) orders of the unit in ``[t0, t1)``: ``buyer, bundle, t``.

    Each (buyer, bundle) sequence comes from its own random stream, so any period of the
    timeline gives the same occurrences.
    """
    out = []
    d = world.profile.demand
    for r in demand.regulars.itertuples(index=False):
        rng = substream(world.seed, "rhythm", demand.buyers[r.buyer], r.bundle)
        n = int((world.end + HORIZON_DAYS * DAY - r.phase_s) / (r.period_days * DAY)) + 2
        jitter = np.clip(rng.normal(0.0, d.period_jitter, n), -0.35, 0.35) * r.period_days * DAY
        t = r.phase_s + np.arange(n) * r.period_days * DAY + jitter
        t = t[(t >= t0) & (t < t1)]
        if len(t):
            out.append(pd.DataFrame({"buyer": r.buyer, "bundle": r.bundle, "t": t}))
    if not out:
        return pd.DataFrame({"buyer": pd.Series(dtype=int), "bundle": pd.Series(dtype=int),
                             "t": pd.Series(dtype=float)})
    return pd.concat(out, ignore_index=True)


def _weekday_day(t: np.ndarray) -> np.ndarray:
    """The China-local day of ``t``, moved from Saturday to Friday and Sunday to Monday."""
    from demo.timebase import local_day

    day = local_day(t)
    weekday = (day + 3) % 7  # 0 = Monday
    return day + np.where(weekday == 5, -1, np.where(weekday == 6, 1, 0))


def sample_vendors(world: World, unit: str, times: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Vendor indices of ``unit`` by activity, valid (onboarded, not blocked) at ``times``."""
    v = world.suppliers.vendors
    idx = np.flatnonzero((v["business_unit_code"] == unit).to_numpy())
    w = v["activity"].to_numpy()[idx]
    created = v["created_at"].to_numpy()[idx]
    blocked = v["_blocked_at"].to_numpy()[idx]
    pick = rng.choice(len(idx), size=len(times), p=w / w.sum())
    for _ in range(30):
        bad = (created[pick] > times - DAY) | (blocked[pick] <= times)
        if not bad.any():
            break
        pick[bad] = rng.choice(len(idx), size=int(bad.sum()), p=w / w.sum())
    return idx[pick]


def plan_unit_demand(world: World, unit: str, times: np.ndarray, t0: float, t1: float,
                     rng: np.random.Generator) -> pd.DataFrame:
    """Buyer, vendor and planned offers of the unit's orders in ``[t0, t1)``.

    Args:
        times: the unit's order times from its calendar (how many orders, and when the ad-hoc
            ones happen); regular orders replace as many of them as they number.

    Returns:
        ``buyer_id, vendor, t, planned_pairs`` (an array of pair indices, or an empty one when
        the lines are to be drawn from the vendor's offers), ``demand_kind``
        (``regular``/``segment``/``explore``), ``bundle`` (-1 for explore).
    """
    d = world.profile.demand
    demand = build_unit_demand(world, unit)
    regular = regular_occurrences(world, demand, t0, t1)
    times = np.sort(times)
    if len(regular) > len(times):  # the calendar caps the volume: keep a random subset
        regular = regular.iloc[np.sort(rng.choice(len(regular), size=len(times), replace=False))]
    day = _weekday_day(regular["t"].to_numpy())
    reg_t = np.clip(business_time(rng, day.astype(float)), t0, t1 - 1)
    reg_vendor = demand.bundle_vendor[regular["bundle"].to_numpy()]
    ok = _orderable(world, reg_vendor, reg_t)
    n_adhoc = len(times) - int(ok.sum())
    adhoc_t = np.sort(rng.choice(times, size=n_adhoc, replace=False)) if n_adhoc else np.zeros(0)
    # a regular that cannot be ordered becomes an ad-hoc order of the same buyer at that time
    adhoc_buyer = rng.choice(len(demand.buyers), size=n_adhoc, p=demand.activity)
    stale = np.flatnonzero(~ok)
    adhoc_t[:len(stale)] = reg_t[stale]
    adhoc_buyer[:len(stale)] = regular["buyer"].to_numpy()[stale]
    explore = rng.random(n_adhoc) < d.explore_share
    bundle = np.full(n_adhoc, -1)
    for i in np.flatnonzero(~explore):
        pool = np.flatnonzero((demand.bundle_segment == demand.segment[adhoc_buyer[i]])
                              & (demand.bundle_intro <= adhoc_t[i]))
        w = demand.bundle_weight[pool] * novelty(demand.bundle_intro[pool], adhoc_t[i], d)
        for _ in range(30):
            pick = int(pool[rng.choice(len(pool), p=w / w.sum())])
            if _orderable(world, demand.bundle_vendor[[pick]], adhoc_t[[i]])[0]:
                bundle[i] = pick
                break
    explore = bundle < 0
    vendor = np.where(explore, -1, demand.bundle_vendor[np.maximum(bundle, 0)])
    if explore.any():
        vendor[explore] = sample_vendors(world, unit, adhoc_t[explore], rng)
    all_bundles = np.concatenate([regular["bundle"].to_numpy()[ok], bundle])
    frame = pd.DataFrame({
        "buyer_id": demand.buyers[np.concatenate([regular["buyer"].to_numpy()[ok], adhoc_buyer])],
        "vendor": np.concatenate([reg_vendor[ok], vendor]).astype(np.int64),
        "t": np.concatenate([reg_t[ok], adhoc_t]),
        "demand_kind": np.concatenate([np.full(int(ok.sum()), "regular", dtype=object),
                                       np.where(explore, "explore", "segment").astype(object)]),
        "bundle": all_bundles,
    })
    frame["planned_pairs"] = [_bundle_lines(demand, b, rng, d.bundle_item_prob) for b in all_bundles]
    return frame.sort_values("t", kind="stable").reset_index(drop=True)


def novelty(intro: np.ndarray, t: float, d) -> np.ndarray:
    """Weight multiplier of bundles introduced at ``intro`` at time ``t`` (1 for base bundles)."""
    age_days = np.where(np.isfinite(intro), (t - np.where(np.isfinite(intro), intro, t)) / DAY, np.inf)
    return 1.0 + d.novelty_boost * np.exp(-np.maximum(age_days, 0.0) / d.novelty_days)


def _bundle_lines(demand: UnitDemand, bundle: int, rng: np.random.Generator, keep: float) -> np.ndarray:
    if bundle < 0:
        return np.zeros(0, dtype=np.int64)
    pairs = demand.bundle_pairs[bundle]
    mask = rng.random(len(pairs)) < keep
    if not mask.any():
        mask[int(rng.integers(0, len(pairs)))] = True
    return pairs[mask].astype(np.int64)


def demand_truth(world: World) -> pd.DataFrame:
    """Every buyer's segment and regular bundles with their periods (evaluation only).

    Returns:
        ``business_unit_code, buyer_id, segment, activity, bundle, vendor_id, material_ids
        (;-joined), period_days``.
    """
    rows = []
    v = world.suppliers.vendors["vendor_id"].to_numpy()
    materials = world.catalogue.materials["material_id"].to_numpy()
    pair_material = world.suppliers.pairs["material"].to_numpy()
    for unit in world.profile.unit_codes:
        demand = build_unit_demand(world, unit)
        for r in demand.regulars.itertuples(index=False):
            rows.append((unit, demand.buyers[r.buyer], int(demand.segment[r.buyer]),
                         round(float(demand.activity[r.buyer]), 6), r.bundle, v[demand.bundle_vendor[r.bundle]],
                         ";".join(materials[pair_material[demand.bundle_pairs[r.bundle]]]),
                         round(r.period_days, 2)))
    return pd.DataFrame(rows, columns=["business_unit_code", "buyer_id", "segment", "activity", "bundle",
                                       "vendor_id", "material_ids", "period_days"])
