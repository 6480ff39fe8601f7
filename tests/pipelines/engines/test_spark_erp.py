"""Embedded and Spark ingest of the same ERP give the same lake (apart from ``_ingested_at``)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from infra.settings import Settings
from lake.quarantine import QUARANTINE_PATH, QUARANTINE_SCHEMA
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table, read_table
from pipelines.engines.spark_erp import ingest_entity_spark
from pipelines.ingest import IngestReport, ingest_entity
from pipelines.sources.erp.extract import ErpExtractor, create_source_engine
from pipelines.sources.erp.specs import spec_for_table
from pipelines.sources.erp.tables import metadata
from tests.pipelines.engines.erp_data import build_erp, change_erp

pytestmark = [pytest.mark.spark, pytest.mark.usefixtures("jdbc_jars")]

BATCH_ROWS = 7  # several batches per table, so batch boundaries and ids are compared too
SETTINGS = Settings(lake={"spark": {"master": "local[2]", "partitions": 3, "min_rows_per_partition": 1}})
PARITY_TABLES = ("purchase_orders", "materials")  # decimals, dates, timestamps, ints, JSON, booleans


def spec(name: str) -> EntitySpec:
    return spec_for_table(metadata.tables[name])


def embedded(storage: LakeStorage, engine: sa.Engine, name: str) -> IngestReport:
    return ingest_entity(storage, spec(name), ErpExtractor(engine, metadata, batch_rows=BATCH_ROWS))


def on_spark(storage: LakeStorage, engine: sa.Engine, name: str, spark) -> IngestReport:
    extractor = ErpExtractor(engine, metadata, batch_rows=BATCH_ROWS)
    return ingest_entity_spark(storage, spec(name), extractor, settings=SETTINGS, spark=spark)


def content(storage: LakeStorage, s: EntitySpec) -> pa.Table:
    table = read_table(storage, s.relative_path).drop_columns(["_ingested_at"])
    return table.sort_by([(k, "ascending") for k in s.key])


def quarantine(storage: LakeStorage) -> list[dict]:
    rows = read_table(storage, QUARANTINE_PATH).drop_columns(["quarantined_at"]).to_pylist()
    return sorted(rows, key=lambda r: r["quarantine_id"])


def summary(report: IngestReport) -> tuple:
    return (report.extracted, report.inserted, report.updated, report.quarantined, len(report.batches),
            [b.batch_id for b in report.batches])


def watermark(storage: LakeStorage, name: str) -> tuple:
    payload = storage.read_json(f"_meta/watermarks/erp/{name}.json")
    return payload["value"], payload["batch_id"]


@pytest.fixture(scope="module")
def erp(tmp_path_factory) -> sa.Engine:
    """The small ERP in SQLite, with a bad number and a NULL (info-)required column."""
    path = tmp_path_factory.mktemp("erp") / "erp.db"
    engine = create_source_engine(f"sqlite:///{path}")
    build_erp(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE purchase_orders SET total_amount = 'abc' WHERE purchase_order_id = 'PUR-00003'"))
        conn.execute(sa.text("UPDATE purchase_orders SET vendor_id = NULL WHERE purchase_order_id = 'PUR-00010'"))
    return engine


def test_embedded_and_spark_land_the_same_tables_quarantine_and_watermarks(spark, erp, tmp_path):
    lake_a, lake_b = LakeStorage(str(tmp_path / "a")), LakeStorage(str(tmp_path / "b"))
    mixed = LakeStorage(str(tmp_path / "mixed"))  # embedded first, Spark for the increment
    for day in (1, 2):
        if day == 2:
            change_erp(erp)
        for name in PARITY_TABLES:
            a = embedded(lake_a, erp, name)
            b = on_spark(lake_b, erp, name, spark)
            assert summary(b) == summary(a), name
            assert content(lake_b, spec(name)).equals(content(lake_a, spec(name))), name
            assert watermark(lake_b, name) == watermark(lake_a, name)
        if day == 1:
            embedded(mixed, erp, "purchase_orders")
        else:
            on_spark(mixed, erp, "purchase_orders", spark)
            assert content(mixed, spec("purchase_orders")).equals(content(lake_a, spec("purchase_orders")))
    assert a.updated > 0 and a.inserted > 0  # day 2 exercised the merge and the append
    q_a, q_b = quarantine(lake_a), quarantine(lake_b)
    assert open_table(lake_b, QUARANTINE_PATH).schema().to_arrow() == pa.schema(QUARANTINE_SCHEMA)
    assert [r["reason"] for r in q_b] == [r["reason"] for r in q_a]
    assert q_b == q_a  # same ids, keys, batch ids, reasons and raw records
    reasons = {(r["entity"], r["record_key"], r["reason"]) for r in q_b}
    assert ("purchase_orders", "PUR-00003", "column 'total_amount': cannot cast 'abc' to decimal128(18, 4)") in reasons
    assert ("purchase_orders", "PUR-00010", "required column 'vendor_id' is null") in reasons
    raw = json.loads(next(r for r in q_b if r["record_key"] == "PUR-00010")["raw_record"])
    assert raw["vendor_id"] is None and isinstance(raw["approval_level"], int)


def test_rerun_is_free_and_a_retried_batch_is_a_noop(spark, erp, tmp_path):
    lake = LakeStorage(str(tmp_path / "lake"))
    first = on_spark(lake, erp, "fx_rates", spark)
    version = open_table(lake, spec("fx_rates").relative_path).version()
    assert first.inserted == first.extracted > 0 and first.versions == [version] * len(first.batches)
    nothing = on_spark(lake, erp, "fx_rates", spark)
    assert nothing.batches == [] and open_table(lake, spec("fx_rates").relative_path).version() == version
    # a crash after the commit but before the watermark: the re-run lands nothing twice
    Path(lake.uri("_meta/watermarks/erp/fx_rates.json")).unlink()
    retry = on_spark(lake, erp, "fx_rates", spark)
    assert all(b.skipped_retry for b in retry.batches) and retry.inserted == 0
    assert open_table(lake, spec("fx_rates").relative_path).version() == version
    assert watermark(lake, "fx_rates")[1] == first.batches[-1].batch_id
    # and the embedded engine agrees that those batches are done
    again = ingest_entity(lake, spec("fx_rates"), ErpExtractor(erp, metadata, batch_rows=BATCH_ROWS))
    assert again.batches == []
