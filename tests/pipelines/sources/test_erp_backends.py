"""ERP ingest from the real PostgreSQL and MariaDB servers: same exactness as on SQLite."""

from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from lake.storage import LakeStorage
from lake.tables import read_table
from pipelines.sources.erp.specs import erp_specs
from pipelines.sources.erp.tables import metadata
from tests.pipelines.sources import erp_helpers as h

DATABASE = "grouplake_erp_ingest_test"


def _fresh_database(server_url: str) -> str:
    """Create (or recreate) a dedicated database and return its URL."""
    url = sa.make_url(server_url)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if url.get_backend_name() == "postgresql":
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
                conn.exec_driver_sql(f"CREATE DATABASE {DATABASE}")
            else:
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {DATABASE}")
                conn.exec_driver_sql(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
    finally:
        admin.dispose()
    return url.set(database=DATABASE).render_as_string(hide_password=False)


def _check_backend(server_url: str, tmp_path) -> None:
    url = _fresh_database(server_url)
    settings = h.make_settings(tmp_path / "home", erp={"database_url": url})
    manifest = h.generate(settings)
    lake = LakeStorage.from_settings(settings)
    reports = h.ingest_all(settings, batch_rows=1_000)
    quarantined = Counter(r["entity"] for r in h.quarantine_rows(lake))
    truth = {(r["location"], r["key"]) for r in h.dirty_truth(settings) if r["kind"] in h.INGEST_DIRTY_KINDS}
    assert {(r["entity"], r["record_key"]) for r in h.quarantine_rows(lake)} == truth
    engine = sa.create_engine(url)
    try:
        for spec in erp_specs():
            rows = read_table(lake, spec.relative_path, columns=list(spec.key)).num_rows
            assert rows + quarantined[spec.entity] == manifest.row_counts[f"erp.{spec.entity}"], spec.entity
        # typed values survive: money sums equal the source's to the cent (quarantined rows aside)
        po = metadata.tables["purchase_orders"]
        held_back = [key for entity, key in truth if entity == "purchase_orders"]
        with engine.connect() as conn:
            source_total = conn.execute(
                sa.select(sa.func.sum(po.c.total_amount)).where(po.c.purchase_order_id.not_in(held_back))
            ).scalar_one()
        lake_total = sum(read_table(lake, "bronze/erp/purchase_orders", ["total_amount"]).column(0).to_pylist())
        assert round(lake_total, 2) == round(source_total, 2)
        before = h.versions(lake)
        assert all(r.batches == [] for r in h.ingest_all(settings, batch_rows=1_000).values())
        assert h.versions(lake) == before
        assert sum(r.extracted for r in reports.values()) == sum(
            v for k, v in manifest.row_counts.items() if k.startswith("erp.")
        )
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_erp_ingest_from_postgres(postgres_url, tmp_path):
    _check_backend(postgres_url, tmp_path)


@pytest.mark.mariadb
def test_erp_ingest_from_mariadb(mariadb_url, tmp_path):
    _check_backend(mariadb_url, tmp_path)
