"""Engine configuration without a JVM: Spark conf, JDBC URLs, SQL plans, the pyspark-free default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from infra.settings import Settings
from pipelines.engines.spark_jdbc import jdbc_source, plan_queries, sqlite_stored_value
from pipelines.engines.spark_session import default_partitions, missing_jdbc_jars, spark_conf
from pipelines.sources.erp.specs import spec_for_table
from pipelines.sources.erp.tables import metadata
from tests.pipelines.engines.erp_data import build_erp

REPO = Path(__file__).resolve().parents[3]


def test_spark_conf_is_utc_micros_with_the_jars_found(tmp_path):
    (tmp_path / "postgresql.jar").write_bytes(b"")
    settings = Settings(lake={"spark": {"jar_dir": str(tmp_path), "master": "local[3]", "conf": {"spark.x": "1"}}})
    conf = spark_conf(settings)
    assert conf["spark.sql.session.timeZone"] == "UTC"
    assert "-Duser.timezone=UTC" in conf["spark.driver.extraJavaOptions"]
    assert conf["spark.sql.parquet.outputTimestampType"] == "TIMESTAMP_MICROS"
    assert conf["spark.jars"] == str(tmp_path / "postgresql.jar")
    assert conf["spark.sql.shuffle.partitions"] == "6" and conf["spark.x"] == "1"
    assert missing_jdbc_jars(tmp_path) == ["mariadb-java-client.jar", "sqlite-jdbc.jar"]
    assert default_partitions("local[1]") == 2


def test_jdbc_urls_from_sqlalchemy_urls(tmp_path):
    pg = jdbc_source("postgresql+psycopg://etl:secret@db.example:5433/erp")
    assert (pg.url, pg.driver, pg.properties) == (
        "jdbc:postgresql://db.example:5433/erp", "org.postgresql.Driver", {"user": "etl", "password": "secret"}
    )
    maria = jdbc_source("mysql+pymysql://root@127.0.0.1/test")
    assert maria.url == "jdbc:mysql://127.0.0.1:3306/test" and maria.driver == "org.mariadb.jdbc.Driver"
    lite = jdbc_source(f"sqlite:///{tmp_path}/erp.db")
    assert lite.url == f"jdbc:sqlite:{tmp_path}/erp.db" and lite.typeless


def test_slices_cover_exactly_the_rows_after_the_watermark_in_keyset_order(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path}/erp.db")
    build_erp(engine, rows_per_table=30)
    table = metadata.tables["purchase_orders"]
    spec = spec_for_table(table)
    since = ["2026-03-01 08:02:00.000000", "PUR-00007"]
    plan = plan_queries(engine, table, spec, since, partitions=4, min_rows_per_partition=1)
    assert len(plan.queries) == 4
    seen = []
    with engine.connect() as conn:
        for query in plan.queries:
            rows = conn.execute(sa.text(query)).mappings().all()
            assert [r["__rn"] for r in rows] == list(range(1, len(rows) + 1))
            seen += [r["purchase_order_id"] for r in sorted(rows, key=lambda r: r["__rn"])]
        keyset = conn.execute(
            sa.text(
                "SELECT purchase_order_id FROM purchase_orders WHERE updated_at > :t "
                "OR (updated_at = :t AND purchase_order_id > :k) ORDER BY updated_at, purchase_order_id"
            ),
            {"t": since[0], "k": since[1]},
        ).scalars().all()
    assert seen == keyset and plan.expected_rows == len(keyset) == 30 - 8


def test_sqlite_text_comes_back_as_the_stored_number():
    assert sqlite_stored_value("272", "INTEGER") == 272
    assert sqlite_stored_value("26727.0651", "NUMERIC") == 26727.0651
    assert sqlite_stored_value("abc", "NUMERIC") == "abc"
    assert sqlite_stored_value("5", "REAL") == 5.0
    assert sqlite_stored_value("007", "TEXT") == "007"


@pytest.mark.slow
def test_the_embedded_default_never_imports_pyspark():
    code = (
        "import sys, orchestration.erp.assets, pipelines.engines.spark_erp, pipelines.engines.spark_session;"
        "sys.exit(1 if any(m == 'pyspark' or m.startswith('pyspark.') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO).returncode == 0
