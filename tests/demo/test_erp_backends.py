"""The ERP generator on PostgreSQL and MariaDB (small scale; the test database's ERP tables are replaced)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from demo import advance_demo_group, generate_demo_group
from pipelines.sources.erp.tables import TABLE_NAMES, metadata

from .conftest import make_settings


def _run(url: str, home: Path) -> None:
    settings = make_settings(home, erp={"database_url": url})
    manifest = generate_demo_group(settings, scale=0.05, seed=42)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            for name in TABLE_NAMES:
                n = conn.execute(sa.select(sa.func.count()).select_from(metadata.tables[name])).scalar_one()
                assert n == manifest.row_counts[f"erp.{name}"], name
            dirty = pd.read_csv(Path(settings.demo.dir) / "ground_truth" / "dirty_rows.csv", dtype=str)
            erp_dirt = dirty[dirty["system"] == "erp"]
            assert set(erp_dirt["kind"]) == {"null_required", "dangling_reference", "negative_quantity",
                                             "date_out_of_order"}
            po = metadata.tables["purchase_orders"]
            nulls = conn.execute(sa.select(sa.func.count()).where(po.c.vendor_id.is_(None))).scalar_one()
            expected = ((erp_dirt["location"] == "purchase_orders") & (erp_dirt["kind"] == "null_required")).sum()
            assert nulls == expected
            row = conn.execute(sa.select(po.c.created_at, po.c.total_amount).limit(1)).one()
            assert row.created_at.year >= 2024 and row.total_amount > 0
        cutoff = manifest.cutoff
        advanced = advance_demo_group(settings, days=3, seed=1)
        with engine.connect() as conn:
            inv = metadata.tables["ap_invoices"]
            changed = conn.execute(sa.select(sa.func.count()).where(
                inv.c.created_at < pd.Timestamp(cutoff).to_pydatetime(),
                inv.c.updated_at >= pd.Timestamp(cutoff).to_pydatetime())).scalar_one()
            assert changed == advanced.advances[-1]["updated"].get("erp.ap_invoices", 0) > 0
    finally:
        metadata.drop_all(engine)
        engine.dispose()


@pytest.mark.postgres
def test_generate_and_advance_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    _run(postgres_url, tmp_path / "home")


@pytest.mark.mariadb
def test_generate_and_advance_on_mariadb(mariadb_url: str, tmp_path: Path) -> None:
    _run(mariadb_url, tmp_path / "home")
