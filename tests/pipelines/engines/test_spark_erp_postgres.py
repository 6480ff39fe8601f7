"""Partitioned JDBC from PostgreSQL: Spark lands what the embedded path lands."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from infra.settings import Settings
from pipelines.engines.spark_erp import ingest_entity_spark
from pipelines.ingest import ingest_entity
from pipelines.lake.storage import LakeStorage
from pipelines.lake.tables import read_table
from pipelines.sources.erp.extract import ErpExtractor, create_source_engine
from pipelines.sources.erp.specs import spec_for_table
from pipelines.sources.erp.tables import metadata
from tests.pipelines.engines.erp_data import build_erp, change_erp

pytestmark = [pytest.mark.spark, pytest.mark.postgres, pytest.mark.usefixtures("jdbc_jars")]

SETTINGS = Settings(lake={"spark": {"master": "local[2]", "partitions": 3, "min_rows_per_partition": 1}})


@pytest.fixture
def erp_pg(postgres_url: str) -> Iterator[sa.Engine]:
    """A throw-away database holding the small ERP (the shared ``test`` database stays clean)."""
    name = f"grouplake_spark_{os.getpid()}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = create_source_engine(sa.make_url(postgres_url).set(database=name))
    try:
        build_erp(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_postgres_backfill_and_increment_match_the_embedded_path(spark, erp_pg, tmp_path):
    spec = spec_for_table(metadata.tables["purchase_orders"])
    lake_a, lake_b = LakeStorage(str(tmp_path / "a")), LakeStorage(str(tmp_path / "b"))
    for day in (1, 2):
        if day == 2:
            change_erp(erp_pg)
        a = ingest_entity(lake_a, spec, ErpExtractor(erp_pg, metadata, batch_rows=9))
        b = ingest_entity_spark(
            lake_b, spec, ErpExtractor(erp_pg, metadata, batch_rows=9), settings=SETTINGS, spark=spark
        )
        assert [x.batch_id for x in b.batches] == [x.batch_id for x in a.batches]
        assert (b.inserted, b.updated, b.quarantined) == (a.inserted, a.updated, a.quarantined)
        key = [("purchase_order_id", "ascending")]
        got = read_table(lake_b, spec.relative_path).drop_columns(["_ingested_at"]).sort_by(key)
        want = read_table(lake_a, spec.relative_path).drop_columns(["_ingested_at"]).sort_by(key)
        assert got.equals(want)
    assert b.updated == 5 and b.inserted == 12
    assert lake_b.read_json("_meta/watermarks/erp/purchase_orders.json")["value"] == (
        lake_a.read_json("_meta/watermarks/erp/purchase_orders.json")["value"]
    )
