"""Landing the same batch with the embedded writer vs Spark-write + delta-rs commit.

``make bench BENCH=spark`` (``BENCH_QUICK=1``: 50,000 rows, 2 rounds). The same N rows (a
deterministic function of the row number) are landed into a fresh Delta table by

- ``embedded``: :func:`lake.writer.merge_batch` (delta-rs writes the Arrow table);
- ``spark``: :func:`pipelines.engines.spark_delta.land_dataframe` (Spark writes Parquet in
  parallel, delta-rs commits it with footer statistics and the batch's transaction id);

next to their anchors, the raw libraries doing the bare write of the same rows:
``raw_deltalake`` (``write_deltalake`` of the same Arrow table) and ``raw_spark_parquet``
(Spark's plain ``df.write.parquet`` of the same cached DataFrame). Comparison ``first``: the
four sides interleaved per round (harness, order rotating), each into a fresh table. Comparison
``increment``: N/10 rows (half newer versions of stored keys, half new keys) merged by both
engines into a table that already holds the first landing (prepared untimed each round).
Both are **warm** (one Spark session, every side called once untimed first); the session
start is the **cold** figure (``spark_session_start_s``, no anchor). The last round's two
engine tables are read back and compared, so the figures are for the same result.
On a 2-core machine Spark is expected to lose: the point is that it lands the same table
and its write scales with cores (``LAKE__SPARK__MASTER=local[*]`` on a bigger machine).

Ratios (per round, median over rounds; > 1 means the first named is faster):
``embedded_vs_raw_deltalake``, ``spark_vs_raw_spark_parquet``, ``spark_vs_embedded``.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import write_deltalake

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import read_table
from lake.writer import merge_batch
from tests.benchmarks import harness

ROWS = int(os.environ.get("BENCH_SPARK_ROWS") or harness.by_mode(2_000_000, 50_000))
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


def run(rows: int = ROWS) -> dict[str, Any]:
    """Land ``rows`` rows, then merge ``rows // 10``, with both engines; return the figures."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from infra.settings import Settings
    from pipelines.engines.spark_delta import land_dataframe
    from pipelines.engines.spark_session import get_spark_session, stop_spark_session

    settings = Settings()
    spark, session = harness.timed(get_spark_session, settings)
    half = rows // 20
    tmp = Path(tempfile.mkdtemp(prefix="bench-spark-"))
    try:
        first = arrow_rows(0, rows, 0)
        increment = pa.concat_tables([arrow_rows(0, half, 1), arrow_rows(rows, half, 1)])
        df_first = spark_rows(spark, 0, rows, 0).persist(StorageLevel.MEMORY_AND_DISK)
        df_inc = spark_rows(spark, 0, half, 1).unionByName(spark_rows(spark, rows, half, 1))
        df_inc = df_inc.persist(StorageLevel.MEMORY_AND_DISK)
        assert df_first.count() == rows and df_inc.count() == 2 * half

        def fresh(kind: str, number: int) -> Path:
            path = tmp / f"{kind}-{number}"
            shutil.rmtree(path, ignore_errors=True)
            return path

        def spark_land(storage: LakeStorage, df: Any, batch: str) -> Any:
            return land_dataframe(spark, storage, SPEC, df.withColumn("_batch_id", F.lit(batch)),
                                  [batch], known_unique=True,
                                  target_file_rows=settings.lake.target_file_rows)

        first_sides = [
            harness.Side("raw_deltalake",
                         lambda r: write_deltalake(str(fresh("raw_delta", r)), first)),
            harness.Side("embedded", lambda r: merge_batch(
                LakeStorage(str(fresh("embedded", r))), SPEC, first, "b1")),
            harness.Side("raw_spark_parquet",
                         lambda r: df_first.write.parquet(str(fresh("raw_parquet", r)))),
            harness.Side("spark", lambda r: spark_land(
                LakeStorage(str(fresh("spark", r))), df_first, "b1")),
        ]
        first_cmp = harness.compare(
            "first", sides=first_sides, anchor="raw_deltalake", temperature="warm", warmup=1,
            rounds=harness.rounds(5, quick=2),
            ratios={"embedded_vs_raw_deltalake": harness.speed_ratio("embedded", "raw_deltalake"),
                    "spark_vs_raw_spark_parquet": harness.speed_ratio("spark", "raw_spark_parquet"),
                    "spark_vs_embedded": harness.speed_ratio("spark", "embedded")},
            note=f"{rows} rows into a fresh table per side and round")

        counts: dict[str, list[int]] = {}

        def embedded_increment(number: int) -> harness.Sample:
            lake = LakeStorage(str(fresh("inc_embedded", number)))
            merge_batch(lake, SPEC, first, "b1")  # untimed: the table before the increment
            report, sample = harness.timed(merge_batch, lake, SPEC, increment, "b2")
            counts["embedded"] = [report.inserted, report.updated]
            return sample

        def spark_increment(number: int) -> harness.Sample:
            lake = LakeStorage(str(fresh("inc_spark", number)))
            spark_land(lake, df_first, "b1")
            report, sample = harness.timed(spark_land, lake, df_inc, "b2")
            counts["spark"] = [sum(report.inserted.values()), sum(report.updated.values())]
            return sample

        inc_cmp = harness.compare(
            "increment", sides=[harness.Side("embedded", embedded_increment),
                                harness.Side("spark", spark_increment)],
            anchor="embedded", temperature="warm", warmup=1, rounds=harness.rounds(5, quick=2),
            ratios={"spark_vs_embedded": harness.speed_ratio("spark", "embedded")},
            note=f"{2 * half} rows merged into a table holding the first {rows} (untimed)")
        last = harness.rounds(5, quick=2) - 1
        a = read_table(LakeStorage(str(tmp / f"inc_embedded-{last}")), SPEC.relative_path)
        b = read_table(LakeStorage(str(tmp / f"inc_spark-{last}")), SPEC.relative_path)
        same = (a.drop_columns(["_ingested_at"]).sort_by("item_id")
                .equals(b.drop_columns(["_ingested_at"]).sort_by("item_id")))
        files = len(list((tmp / f"inc_spark-{last}" / SPEC.relative_path).glob("*.parquet")))
    finally:
        stop_spark_session()
        shutil.rmtree(tmp, ignore_errors=True)
    return {
        "rows": rows,
        "increment_rows": 2 * half,
        "master": settings.lake.spark.master,
        "cores": os.cpu_count(),
        "tables_equal_apart_from_ingested_at": same,
        "increment_inserted_updated": counts,
        "spark_session_start_s": {"temperature": "cold", "seconds": round(session.seconds, 2)},
        "spark_data_files": files,
        "first": first_cmp.to_dict(),
        "increment": inc_cmp.to_dict(),
        "note": "ratio > 1 means the first named is faster; Spark includes its Delta commit",
    }
