"""The fraud schemes no feature was written for (``demo/fraud_unseen.py``): seeded, consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from demo import fraud_unseen
from demo.procurement import assign_ids, build_lines, order_headers, plan_orders, price_overrides
from demo.profile import load_profile
from demo.rng import substream
from demo.world import build_world

pytestmark = pytest.mark.slow  # one small world (~5 s on a loaded 2-core machine), shared by the module


@pytest.fixture(scope="module")
def world():
    return build_world(load_profile(), 0.05, 42)


@pytest.fixture(scope="module")
def orders(world):
    """The initial window's planned orders and lines, before any injected fraud."""
    n = world.count(world.profile.scale.purchase_orders, None, minimum=1)
    plan = plan_orders(world, world.start, world.end, n, substream(42, "po-plan", "test"))
    rng = substream(42, "po-lines", "test")
    lines = build_lines(world, plan, rng)
    price_overrides(world, plan, lines, rng)
    headers = order_headers(world, plan, lines, substream(42, "po-headers", "test"))
    assign_ids(headers, lines, {})
    return headers, lines


def _inject(world, orders, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, list[tuple]]:
    headers, lines = orders[0].copy(), orders[1].copy()
    rng, counters = substream(seed, "fraud-unseen", "test"), {}
    truth = fraud_unseen.ring_rotation(world, headers, lines, 2, rng, counters)
    truth += fraud_unseen.price_creep(world, headers, lines, 2, rng, counters)
    return headers, lines, truth


def test_the_new_schemes_are_injected_deterministically_by_seed(world, orders) -> None:
    first, again, other = _inject(world, orders, 42), _inject(world, orders, 42), _inject(world, orders, 7)
    assert first[2] == again[2]
    pd.testing.assert_frame_equal(first[0], again[0])
    pd.testing.assert_frame_equal(first[1], again[1])
    assert first[2] != other[2]
    kinds = {row[1] for row in first[2]}
    assert kinds == {"ring_rotation", "price_creep"}
    assert len({row[0] for row in first[2]}) == 4  # two rings, two creeping vendors


def test_ring_orders_rotate_between_three_colluders_and_creep_raises_prices_only(world, orders) -> None:
    headers, lines, truth = _inject(world, orders, 42)
    before_headers, _before_lines = orders
    pair_vendor = world.suppliers.pairs["vendor"].to_numpy()
    for case in sorted({r[0] for r in truth if r[1] == "ring_rotation"}):
        ids = [r[3] for r in truth if r[0] == case]
        ring = headers[headers["purchase_order_id"].isin(ids)].sort_values("created_at")
        assert ring["vendor"].nunique() <= 3 and ring["business_unit_code"].nunique() == 1
        assert (ring["vendor"].to_numpy()[1:] != ring["vendor"].to_numpy()[:-1]).mean() > 0.5  # turns
        mine = lines[lines["po"].isin(ring.index)]
        assert (pair_vendor[mine["pair"].to_numpy()] == ring.loc[mine["po"], "vendor"].to_numpy()).all()
    creep_ids = [r[3] for r in truth if r[1] == "price_creep"]
    creep = headers["purchase_order_id"].isin(creep_ids).to_numpy()
    assert (headers.loc[creep, "vendor"].to_numpy() == before_headers.loc[creep, "vendor"].to_numpy()).all()
    ratio = headers.loc[creep, "total_amount"].to_numpy() / before_headers.loc[creep, "total_amount"].to_numpy()
    assert (ratio >= 1.045).all()  # >= 5 % over, less the cent rounding of line prices
    totals = np.round(np.bincount(lines["po"], weights=lines["line_amount"], minlength=len(headers)), 2)
    assert np.allclose(headers["total_amount"].to_numpy(), totals)
    untouched = ~headers["fraud_case"].isin(["ring_rotation", "price_creep", "price_creep_early"]).to_numpy()
    assert (headers.loc[untouched, "total_amount"].to_numpy() == before_headers.loc[untouched, "total_amount"]
            .to_numpy()).all()
