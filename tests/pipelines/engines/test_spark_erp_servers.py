"""Partitioned JDBC from PostgreSQL and MariaDB: Spark lands what the embedded path lands."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from infra.settings import Settings
from lake.storage import LakeStorage
from lake.tables import read_table
from pipelines.engines.spark_erp import ingest_entity_spark
from pipelines.ingest import ingest_entity
from pipelines.sources.erp.extract import ErpExtractor, create_source_engine
from pipelines.sources.erp.specs import spec_for_table
from pipelines.sources.erp.tables import metadata
from tests.pipelines.engines.erp_data import build_erp, change_erp

pytestmark = [pytest.mark.spark, pytest.mark.usefixtures("jdbc_jars")]

SETTINGS = Settings(lake={"spark": {"master": "local[2]", "partitions": 3, "min_rows_per_partition": 1}})


@pytest.fixture(
    params=[
        pytest.param("postgres", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def erp_server(request: pytest.FixtureRequest) -> Iterator[sa.Engine]:
    """A throw-away database holding the small ERP (the shared ``test`` database stays clean)."""
    url = sa.make_url(request.getfixturevalue(f"{request.param}_url"))
    name = f"grouplake_spark_{os.getpid()}"
    force = " WITH (FORCE)" if request.param == "postgres" else ""
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}{force}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine = create_source_engine(url.set(database=name))
    try:
        build_erp(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}{force}"))
        admin.dispose()


def test_backfill_and_increment_match_the_embedded_path(spark, erp_server, tmp_path):
    spec = spec_for_table(metadata.tables["purchase_orders"])
    lake_a, lake_b = LakeStorage(str(tmp_path / "a")), LakeStorage(str(tmp_path / "b"))
    for day in (1, 2):
        if day == 2:
            change_erp(erp_server)
        a = ingest_entity(lake_a, spec, ErpExtractor(erp_server, metadata, batch_rows=9))
        b = ingest_entity_spark(
            lake_b, spec, ErpExtractor(erp_server, metadata, batch_rows=9), settings=SETTINGS, spark=spark
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
