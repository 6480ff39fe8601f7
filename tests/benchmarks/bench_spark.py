"""Landing the same batch with the embedded writer vs Spark-write + delta-rs commit.

``python -m tests.benchmarks spark`` (``make bench BENCH=spark``). The same N rows (a
deterministic function of the row number) are landed into a fresh Delta table by

- ``embedded``: :func:`lake.writer.merge_batch` (delta-rs writes the Arrow table);
- ``spark``: :func:`pipelines.engines.spark_delta.land_dataframe` (Spark writes Parquet in
  parallel, delta-rs commits it with footer statistics and the batch's transaction id);

then an increment of N/10 rows (half newer versions of stored keys, half new keys) is merged
by both. The raw libraries doing the bare work are timed in the same run as references:
``write_deltalake`` of the same Arrow table, and Spark's plain ``df.write.parquet``. Both
engines' tables are read back and compared, so the figures are for the same result.
On a 2-core machine Spark is expected to lose: the point is that it lands the same table
and its write scales with cores (``LAKE__SPARK__MASTER=local[*]`` on a bigger machine).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import write_deltalake

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import read_table
from lake.writer import merge_batch

ROWS = int(os.environ.get("BENCH_SPARK_ROWS", "2000000"))
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPEC = EntitySpec(
    "bench",
    "items",
    pa.schema(
        [
            ("item_id", pa.string()),
            ("qty", pa.int64()),
            ("price", pa.decimal128(18, 4)),
            ("day", pa.date32()),
            ("note", pa.string()),
            ("updated_at", pa.timestamp("us", tz="UTC")),
        ]
    ),
    key=("item_id",),
)


def arrow_rows(start: int, n: int, hour: int) -> pa.Table:
    """Rows ``start … start+n-1``: every value a function of the row number ``i``."""
    i = pa.array(range(start, start + n), pa.int64())
    text = pc.cast(i, pa.string())
    return pa.Table.from_arrays(
        [
            pc.binary_join_element_wise("k", pc.utf8_lpad(text, 9, "0"), ""),
            pc.multiply(pc.bit_wise_and(i, 1023), hour + 1),
            pc.cast(pc.cast(pc.bit_wise_and(i, 65535), pa.decimal128(38, 4)), pa.decimal128(18, 4)),
            pc.cast(pc.cast(pc.add(pc.bit_wise_and(i, 255), 20454), pa.int32()), pa.date32()),
            pc.binary_join_element_wise("note ", pc.cast(pc.bit_wise_and(i, 63), pa.string()), ""),
            pa.array([T0 + dt.timedelta(hours=hour)] * n, pa.timestamp("us", tz="UTC")),
        ],
        schema=SPEC.schema,
    )


def spark_rows(spark: object, start: int, n: int, hour: int) -> object:
    """The same rows built by Spark (``spark.range``), cached before timing."""
    from pyspark.sql import functions as F

    i = F.col("id")
    df = spark.range(start, start + n).select(
        F.format_string("k%09d", i).alias("item_id"),
        ((i.bitwiseAND(1023)) * (hour + 1)).alias("qty"),
        i.bitwiseAND(65535).cast("decimal(18,4)").alias("price"),
        F.date_add(F.lit(dt.date(2026, 1, 1)), i.bitwiseAND(255).cast("int")).alias("day"),
        F.concat(F.lit("note "), i.bitwiseAND(63).cast("string")).alias("note"),
        F.lit(T0 + dt.timedelta(hours=hour)).alias("updated_at"),
    )
    return df


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def run(rows: int = ROWS) -> dict:
    """Land ``rows`` rows, then merge ``rows // 10``, with both engines; return the figures."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from infra.settings import Settings
    from pipelines.engines.spark_delta import land_dataframe
    from pipelines.engines.spark_session import get_spark_session, stop_spark_session

    settings = Settings()
    load_before = os.getloadavg()[0]
    session_s, spark = _timed(lambda: get_spark_session(settings))
    half = rows // 20
    with tempfile.TemporaryDirectory(prefix="bench-spark-") as tmp:
        first = arrow_rows(0, rows, 0)
        increment = pa.concat_tables([arrow_rows(0, half, 1), arrow_rows(rows, half, 1)])
        emb, spk = LakeStorage(str(Path(tmp) / "embedded")), LakeStorage(str(Path(tmp) / "spark"))

        raw_delta_s, _ = _timed(lambda: write_deltalake(str(Path(tmp) / "raw_delta"), first))
        emb_first_s, _ = _timed(lambda: merge_batch(emb, SPEC, first, "b1"))
        emb_inc_s, emb_inc = _timed(lambda: merge_batch(emb, SPEC, increment, "b2"))

        df_first = spark_rows(spark, 0, rows, 0).persist(StorageLevel.MEMORY_AND_DISK)
        df_inc = spark_rows(spark, 0, half, 1).unionByName(spark_rows(spark, rows, half, 1))
        df_inc = df_inc.persist(StorageLevel.MEMORY_AND_DISK)
        assert df_first.count() == rows and df_inc.count() == 2 * half
        raw_spark_s, _ = _timed(lambda: df_first.write.parquet(str(Path(tmp) / "raw_parquet")))
        spark_first_s, _ = _timed(
            lambda: land_dataframe(
                spark, spk, SPEC, df_first.withColumn("_batch_id", F.lit("b1")), ["b1"], known_unique=True,
                target_file_rows=settings.lake.target_file_rows,
            )
        )
        spark_inc_s, spark_inc = _timed(
            lambda: land_dataframe(
                spark, spk, SPEC, df_inc.withColumn("_batch_id", F.lit("b2")), ["b2"], known_unique=True,
                target_file_rows=settings.lake.target_file_rows,
            )
        )
        a = read_table(emb, SPEC.relative_path).drop_columns(["_ingested_at"]).sort_by("item_id")
        b = read_table(spk, SPEC.relative_path).drop_columns(["_ingested_at"]).sort_by("item_id")
        same = a.equals(b)
        files = len(list((Path(tmp) / "spark" / SPEC.relative_path).glob("*.parquet")))
    stop_spark_session()
    inc_rows = 2 * half
    return {
        "rows": rows,
        "increment_rows": inc_rows,
        "master": settings.lake.spark.master,
        "cores": os.cpu_count(),
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
        "tables_equal_apart_from_ingested_at": same,
        "increment": {"embedded": [emb_inc.inserted, emb_inc.updated], "spark": [
            sum(spark_inc.inserted.values()), sum(spark_inc.updated.values())]},
        "spark_session_start_s": round(session_s, 2),
        "seconds": {
            "raw_write_deltalake": round(raw_delta_s, 3),
            "embedded_first": round(emb_first_s, 3),
            "embedded_increment": round(emb_inc_s, 3),
            "raw_spark_write_parquet": round(raw_spark_s, 3),
            "spark_first": round(spark_first_s, 3),
            "spark_increment": round(spark_inc_s, 3),
        },
        "rows_per_s": {
            "raw_write_deltalake": round(rows / raw_delta_s),
            "embedded_first": round(rows / emb_first_s),
            "embedded_increment": round(inc_rows / emb_inc_s),
            "raw_spark_write_parquet": round(rows / raw_spark_s),
            "spark_first": round(rows / spark_first_s),
            "spark_increment": round(inc_rows / spark_inc_s),
        },
        "ratios": {
            "spark_vs_embedded_first": round(emb_first_s / spark_first_s, 3),
            "spark_vs_embedded_increment": round(emb_inc_s / spark_inc_s, 3),
            "embedded_vs_raw_deltalake": round(raw_delta_s / emb_first_s, 3),
            "spark_land_vs_raw_spark_parquet": round(raw_spark_s / spark_first_s, 3),
        },
        "spark_data_files": files,
        "note": "ratio > 1 means the first named is faster; Spark includes its Delta commit",
    }
