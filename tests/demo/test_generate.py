"""Generating the demo group: manifest, determinism, exists/ensure, regeneration."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from demo import demo_exists, ensure_demo_group, generate_demo_group
from demo.generate import DemoExistsError
from demo.profile import load_profile

from .conftest import SEED, SMALL_SCALE, make_settings
from .helpers import demo_hashes


def test_manifest_records_inputs_and_counts(demo_manifest: object) -> None:
    m = demo_manifest
    assert (m.scale, m.seed, m.profile) == (SMALL_SCALE, SEED, "benchmark")
    assert m.profile_sha256 == load_profile().sha256
    assert (m.window_start, m.window_end, m.cutoff) == ("2024-11-01", "2026-10-31", "2026-11-01T00:00:00Z")
    counts = m.row_counts
    assert counts["erp.business_units"] == 6
    assert counts["erp.purchase_orders"] == EXPECTED["erp.purchase_orders"]
    assert counts["erp.vendors"] == EXPECTED["erp.vendors"]
    assert counts["truth.companies.csv"] == 40
    assert counts["crm.customers"] == EXPECTED["crm.customers"]
    assert counts["wms.files"] > 50 and counts["iot.files"] > 700
    assert json.loads((Path(m.demo_dir) / "manifest.json").read_text())["seed"] == SEED


EXPECTED = {"erp.purchase_orders": 1004, "erp.vendors": 54, "crm.customers": 75}


def test_exists_and_ensure(demo_settings: object, tmp_path: Path) -> None:
    assert demo_exists(demo_settings)
    assert ensure_demo_group(demo_settings) is None
    assert not demo_exists(make_settings(tmp_path / "empty"))


def test_refuses_to_overwrite_without_force(demo_settings: object) -> None:
    with pytest.raises(DemoExistsError):
        generate_demo_group(demo_settings, scale=SMALL_SCALE, seed=SEED)


def test_same_seed_same_simulation_other_seed_differs() -> None:
    from demo.customers import build_customers
    from demo.erp import simulate_erp_period
    from demo.world import build_world

    def run(seed: int) -> dict[str, pd.DataFrame]:
        world = build_world(load_profile(), SMALL_SCALE, seed)
        customers = build_customers(world, seed)
        return simulate_erp_period(world, customers, world.suppliers.bank_accounts, world.start, world.end,
                                   "init", {}, initial=True).frames

    a, b, c = run(5), run(5), run(6)
    for name in ("purchase_orders", "purchase_order_lines", "goods_receipts", "payments", "sales_orders"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert not a["purchase_orders"]["vendor_id"].equals(c["purchase_orders"]["vendor_id"])


@pytest.mark.slow
def test_byte_identical_for_the_same_seed(demo_settings: object, tmp_path: Path) -> None:
    again = make_settings(tmp_path / "again")
    generate_demo_group(again, scale=SMALL_SCALE, seed=SEED)
    reference, repeat = demo_hashes(demo_settings), demo_hashes(again)
    assert len(reference) > 1000
    assert reference == repeat
    other = make_settings(tmp_path / "other")
    generate_demo_group(other, scale=SMALL_SCALE, seed=SEED + 1)
    different = demo_hashes(other)
    assert different["erp/purchase_orders"] != reference["erp/purchase_orders"]
    assert different["truth/companies.csv"] != reference["truth/companies.csv"]


@pytest.mark.slow
def test_force_regenerates_and_removes_old_drops(demo_copy: object) -> None:
    wms = Path(demo_copy.wms.landing_dir)
    stray = wms / "movements" / "not_ours.csv"
    stray.write_text("keep me\n")
    before = sorted(p.name for p in (wms / "movements").iterdir())
    manifest = generate_demo_group(demo_copy, scale=SMALL_SCALE, seed=SEED + 5, force=True)
    after = sorted(p.name for p in (wms / "movements").iterdir())
    assert stray.exists()  # files the generator did not write are left alone
    assert manifest.seed == SEED + 5 and before != after
