"""The demo buyers' demand model: reorder rhythms, segment affinities, new bundles spreading."""

from __future__ import annotations

import numpy as np
import pytest

from demo.demand import build_unit_demand, novelty, plan_unit_demand, regular_occurrences
from demo.profile import load_profile
from demo.timebase import DAY
from demo.world import build_world


@pytest.fixture(scope="module")
def world():
    return build_world(load_profile(), 0.25, 42)


def test_regulars_recur_at_their_period_whatever_the_period_split(world):
    demand = build_unit_demand(world, "COAL")
    whole = regular_occurrences(world, demand, world.start, world.end)
    middle = world.start + 200 * DAY
    halves = [regular_occurrences(world, demand, world.start, middle), regular_occurrences(world, demand, middle,
                                                                                           world.end)]
    assert len(whole) == sum(len(h) for h in halves)  # advance continues the same rhythm
    for r in demand.regulars.itertuples(index=False):
        times = np.sort(whole[(whole["buyer"] == r.buyer) & (whole["bundle"] == r.bundle)]["t"].to_numpy())
        if len(times) >= 4:
            gaps = np.diff(times) / DAY
            assert abs(np.median(gaps) / r.period_days - 1) < 0.3
            assert ((gaps > 0.2 * r.period_days) & (gaps < 1.8 * r.period_days)).all()


def test_segment_peers_share_their_pool_and_new_bundles_appear(world):
    demand = build_unit_demand(world, "CHEM")
    d = world.profile.demand
    segments = np.unique(demand.segment)
    assert len(segments) == max(1, round(len(demand.buyers) / d.buyers_per_segment))
    for b in range(len(demand.buyers)):  # a buyer's regulars come from its own segment's base pool
        mine = demand.regulars[demand.regulars["buyer"] == b]["bundle"].to_numpy()
        assert (demand.bundle_segment[mine] == demand.segment[b]).all()
        assert not np.isfinite(demand.bundle_intro[mine]).any()
    new = np.isfinite(demand.bundle_intro)
    assert new.any() and (demand.bundle_intro[new] >= world.start).all()
    weight = novelty(np.array([world.start, -np.inf]), world.start + d.novelty_days * DAY, d)
    assert weight[0] == pytest.approx(1 + d.novelty_boost * np.exp(-1)) and weight[1] == 1.0


def test_planned_orders_keep_the_calendar_count(world):
    rng = np.random.default_rng(1)
    prof = world.profile
    share = prof.unit("BMAT").purchase_share / sum(u.purchase_share for u in prof.units)
    n = round(prof.scale.purchase_orders * world.scale * share * 180 / world.window_days)  # the calendar's volume
    times = np.sort(rng.uniform(world.start + 180 * DAY, world.start + 360 * DAY, n))
    plan = plan_unit_demand(world, "BMAT", times, world.start + 180 * DAY, world.start + 360 * DAY, rng)
    assert len(plan) == n
    assert set(plan["demand_kind"]) <= {"regular", "segment", "explore"}
    assert 0.4 < (plan["demand_kind"] == "regular").mean() < 0.8  # rhythm_share = 0.6 of the expected orders
    planned = plan[plan["demand_kind"] != "explore"]
    vendor_of_pair = world.suppliers.pairs["vendor"].to_numpy()
    assert all((vendor_of_pair[p] == v).all() and len(p) for p, v in zip(planned["planned_pairs"], planned["vendor"],
                                                                        strict=True))
    assert set(plan["buyer_id"]) <= set(world.users_of("BMAT", "buyer"))
