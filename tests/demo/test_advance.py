"""Advancing the demo group: new rows, status updates with newer updated_at, new drop files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from demo import advance_demo_group
from demo.manifest import DemoManifest

from .helpers import demo_hashes

CUTOFF = "2026-11-01"
NEW_CUTOFF = "2026-11-06"


def _q(settings: object, sql: str) -> list[tuple]:
    conn = sqlite3.connect(settings.erp.database_url.removeprefix("sqlite:///"))
    conn.text_factory = bytes
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_advance_inserts_updates_and_drops_files(demo_copy: object) -> None:
    before = DemoManifest.read(Path(demo_copy.demo.dir))
    open_orders = dict(_q(demo_copy, "SELECT purchase_order_id, status FROM purchase_orders "
                                     "WHERE status NOT IN ('closed', 'cancelled')"))
    manifest = advance_demo_group(demo_copy, days=5, seed=3)
    assert manifest.cutoff == f"{NEW_CUTOFF}T00:00:00Z"
    run = manifest.advances[-1]
    assert (run["from"], run["to"], run["days"], run["seed"]) == (f"{CUTOFF}T00:00:00Z", f"{NEW_CUTOFF}T00:00:00Z", 5, 3)
    for table in ("purchase_orders", "purchase_order_lines", "sales_orders", "fx_rates"):
        new = _q(demo_copy, f"SELECT count(*) FROM {table} WHERE created_at >= '{CUTOFF}'")[0][0]
        assert new == run["inserted"][f"erp.{table}"] > 0, table
        total = _q(demo_copy, f"SELECT count(*) FROM {table}")[0][0]
        assert total == manifest.row_counts[f"erp.{table}"] == before.row_counts[f"erp.{table}"] + new
    updated = _q(demo_copy, f"SELECT count(*) FROM purchase_orders WHERE created_at < '{CUTOFF}' "
                            f"AND updated_at >= '{CUTOFF}'")[0][0]
    assert updated == run["updated"]["erp.purchase_orders"] > 0
    after = dict(_q(demo_copy, "SELECT purchase_order_id, status FROM purchase_orders"))
    moved_on = [k for k, s in open_orders.items() if after[k] != s]
    assert moved_on and len(moved_on) <= updated
    for table in ("purchase_orders", "ap_invoices", "shipments", "payments", "vendors"):
        assert _q(demo_copy, f"SELECT count(*) FROM {table} WHERE updated_at >= '{NEW_CUTOFF}'")[0][0] == 0
    wms = Path(demo_copy.wms.landing_dir)
    assert list((wms / "movements").glob("movements_*_20261101_20261105.csv"))
    assert list((wms / "stock").glob("stock_*_20261105.csv"))
    iot = Path(demo_copy.iot.landing_dir)
    assert sorted(p.name for p in (iot / "temperature").glob("temperature_2026-11-0*.jsonl")) == [
        f"temperature_2026-11-0{d}.jsonl" for d in range(1, 6)]
    crm = sqlite3.connect(Path(demo_copy.demo.dir) / "crm.db")
    assert crm.execute("SELECT max(updated_at) FROM interactions").fetchone()[0] < f"{NEW_CUTOFF}T"
    crm.close()
    second = advance_demo_group(demo_copy, days=2)
    assert second.cutoff == "2026-11-08T00:00:00Z" and len(second.advances) == 2


def test_advance_needs_a_demo_and_positive_days(tmp_path: Path, demo_copy: object) -> None:
    from .conftest import make_settings

    with pytest.raises(FileNotFoundError):
        advance_demo_group(make_settings(tmp_path / "none"), days=1)
    with pytest.raises(ValueError):
        advance_demo_group(demo_copy, days=0)


def test_advance_is_deterministic(demo_home: Path, tmp_path: Path) -> None:
    import shutil

    from .conftest import make_settings

    copies = []
    for name, seed in (("a", 9), ("b", 9), ("c", 10)):
        shutil.copytree(demo_home, tmp_path / name)
        settings = make_settings(tmp_path / name)
        advance_demo_group(settings, days=4, seed=seed)
        copies.append(demo_hashes(settings))
    assert copies[0] == copies[1]
    assert copies[0]["erp/purchase_orders"] != copies[2]["erp/purchase_orders"]
