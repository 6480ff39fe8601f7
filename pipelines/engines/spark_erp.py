"""ERP ingest on Spark: the embedded loop's exact semantics, read and written in parallel.

:func:`ingest_entity_spark` is the Spark twin of :func:`pipelines.ingest.ingest_entity` for an
ERP table, meant for large backfills:

1. every row strictly after the watermark ``[change, *key]`` is read by partitioned JDBC
   (:mod:`pipelines.engines.spark_jdbc`), numbered in the database's keyset order;
2. the rows are cut into the *same batches* the embedded extractor would page through
   (``erp.batch_rows`` rows each, same ``low``/``high``), so every row gets the same
   deterministic ``_batch_id`` and the table is the same whichever engine ran;
3. validation runs in Spark (:mod:`pipelines.engines.spark_validate`); bad rows go to
   ``bronze.quarantine`` batch by batch, with the embedded wording;
4. the good rows of all batches land in one Delta commit recording every batch's
   transaction app id (:mod:`pipelines.engines.spark_delta`); batches already committed
   (by either engine) are left out, so a retry is a no-op;
5. only then does the watermark move, to the last batch's ``high``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import reduce
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import sqlalchemy as sa

from lake.batch import make_batch_id
from lake.quarantine import quarantine_rows
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table
from lake.watermarks import read_watermark, write_watermark
from pipelines.engines.spark_delta import committed_batches, land_dataframe
from pipelines.engines.spark_jdbc import (
    PART,
    ROW_NUMBER,
    jdbc_source,
    plan_queries,
    read_queries,
    sqlite_affinity,
    sqlite_stored_value,
)
from pipelines.engines.spark_session import default_partitions, get_spark_session, missing_jdbc_jars
from pipelines.engines.spark_validate import collect_bad, flag_rows, good_rows
from pipelines.ingest import BatchReport, IngestReport
from pipelines.sources.erp.extract import ErpExtractor, _to_jsonable, _watermark_value

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

    from infra.settings import Settings

IDX = "__idx"
CHUNK = "__chunk"


def _raw_converter(table: sa.Table, typeless: bool) -> Callable[[str, Any], Any]:
    """Turns a value as Spark read it into the raw value the embedded extractor would see."""
    affinity = {c.name: sqlite_affinity(c.type) for c in table.columns} if typeless else {}

    def convert(column: str, value: Any) -> Any:
        if typeless:
            return sqlite_stored_value(value, affinity[column])
        return value

    return convert


def _count(raw: DataFrame, spec: EntitySpec, parts: int) -> tuple[dict[int, int], bool]:
    """Rows per query and whether the (text) keys are distinct, in one pass over the data."""
    from pyspark.sql import functions as F

    keys = [F.col(f"`{k}`") for k in spec.key]
    has_key = reduce(lambda a, b: a & b, [k.isNotNull() for k in keys])
    row = raw.agg(
        *[F.count_if(F.col(PART) == i).alias(f"n{i}") for i in range(parts)],
        F.count_if(has_key).alias("keyed"),
        F.count_distinct(*keys).alias("distinct"),
    ).first()
    text_keys = all(pa.types.is_string(spec.schema.field(k).type) for k in spec.key)
    return {i: row[f"n{i}"] for i in range(parts)}, text_keys and row["keyed"] == row["distinct"]


def _with_positions(raw: DataFrame, counts: dict[int, int], batch_rows: int) -> DataFrame:
    """Add the global keyset position ``__idx`` and the batch number ``__chunk``."""
    from pyspark.sql import functions as F

    offsets, running = {}, 0
    for part in sorted(counts):
        offsets[part] = running
        running += counts[part]
    mapping = F.create_map(*[x for p, o in offsets.items() for x in (F.lit(p), F.lit(o).cast("long"))])
    idx = F.element_at(mapping, F.col(PART)) + F.col(ROW_NUMBER) - 1
    return raw.withColumn(IDX, idx).withColumn(CHUNK, F.floor(F.col(IDX) / batch_rows).cast("long"))


def _batch_bounds(
    positioned: DataFrame,
    spec: EntitySpec,
    since: Any,
    total: int,
    batch_rows: int,
    raw_value: Callable[[str, Any], Any],
) -> list[tuple[Any, Any]]:
    """``(low, high)`` of every batch, exactly as the embedded extractor would page."""
    from pyspark.sql import functions as F

    n_chunks = -(-total // batch_rows)
    last = [min((k + 1) * batch_rows, total) - 1 for k in range(n_chunks)]
    cols = [spec.change_column, *spec.key]
    rows = positioned.filter(F.col(IDX).isin(last)).select(IDX, *[F.col(f"`{c}`") for c in cols]).toArrow()
    by_idx = {r[IDX]: r for r in rows.to_pylist()}
    bounds, low = [], since
    for k in range(n_chunks):
        row = by_idx[last[k]]
        change = raw_value(spec.change_column, row[spec.change_column])
        high = [_watermark_value(change), *(_to_jsonable(raw_value(c, row[c])) for c in spec.key)]
        bounds.append((low, high))
        low = high
    return bounds


def ingest_entity_spark(
    storage: LakeStorage,
    spec: EntitySpec,
    extractor: ErpExtractor,
    *,
    settings: Settings | None = None,
    spark: SparkSession | None = None,
    on_batch: Callable[[BatchReport], None] | None = None,
) -> IngestReport:
    """Bring ``spec``'s table up to date with the ERP table, on Spark.

    Args:
        storage: the lake (local).
        spec: an ERP entity (needs a change column).
        extractor: the embedded extractor of the same source: its engine (URL, dialect),
            table definitions and ``batch_rows`` are reused, so both engines cut the same batches.
        settings: platform settings (default :func:`infra.settings.get_settings`).
        spark: a session (default :func:`pipelines.engines.spark_session.get_spark_session`).
        on_batch: called for every batch after the commit (progress reporting).

    Returns:
        An :class:`~pipelines.ingest.IngestReport` with one batch per embedded-size batch.

    Example:
        >>> ingest_entity_spark(storage, spec, ErpExtractor(engine, metadata))  # doctest: +SKIP
    """
    from pyspark import StorageLevel

    if settings is None:
        from infra.settings import get_settings

        settings = get_settings()
    if spec.change_column is None:
        raise ValueError(f"{spec.name}: ERP extraction needs a change column")
    started = time.perf_counter()
    source = jdbc_source(extractor.engine.url)
    jar_dir = settings.lake.spark.jar_dir
    if source.jar in missing_jdbc_jars(jar_dir):
        raise RuntimeError(
            f"JDBC driver {source.jar} not found in {jar_dir}: run infra/install_jdbc_jars.sh"
        )
    spark = spark or get_spark_session(settings)
    table = extractor.metadata.tables[spec.entity]
    since = read_watermark(storage, spec.source, spec.entity)
    partitions = settings.lake.spark.partitions or default_partitions(settings.lake.spark.master)
    plan = plan_queries(
        extractor.engine, table, spec, since,
        partitions=partitions, min_rows_per_partition=settings.lake.spark.min_rows_per_partition,
    )
    report = IngestReport(entity=spec.name)
    if plan.expected_rows == 0:
        report.seconds = time.perf_counter() - started
        return report
    columns = list(table.columns.keys())
    raw = read_queries(spark, source, plan.queries, columns).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts, unique = _count(raw, spec, len(plan.queries))
        total = sum(counts.values())
        if total == 0:
            report.seconds = time.perf_counter() - started
            return report
        batch_rows = extractor.batch_rows
        positioned = _with_positions(raw, counts, batch_rows)
        raw_value = _raw_converter(table, source.typeless)
        bounds = _batch_bounds(positioned, spec, since, total, batch_rows, raw_value)
        batch_ids = [make_batch_id(spec.source, spec.entity, lo, hi) for lo, hi in bounds]
        done = committed_batches(open_table(storage, spec.relative_path), batch_ids)

        flagged, missing = flag_rows(positioned, spec)
        bad = collect_bad(flagged, spec, columns, missing, order_by=[IDX], group_by=CHUNK)
        for result in bad.values():
            result.bad_rows = [{c: raw_value(c, v) for c, v in r.items()} for r in result.bad_rows]
        quarantined = {
            k: quarantine_rows(storage, spec.source, spec.entity, batch_ids[k], result, origin=f"erp:{spec.entity}")
            for k, result in sorted(bad.items())
        }
        pending = [k for k, b in enumerate(batch_ids) if b not in done]
        landed = None
        if pending:
            from pyspark.sql import functions as F

            ids = F.create_map(*[x for k in pending for x in (F.lit(k).cast("long"), F.lit(batch_ids[k]))])
            good = good_rows(flagged, spec, extra=[CHUNK, IDX]).filter(F.col(CHUNK).isin(pending))
            good = good.withColumn("_batch_id", F.element_at(ids, F.col(CHUNK)))
            landed = land_dataframe(
                spark, storage, spec, good, [batch_ids[k] for k in pending],
                ingested_at=dt.datetime.now(dt.UTC), group_col=CHUNK, order_col=IDX,
                target_file_rows=settings.lake.target_file_rows,
                staging_grace_s=settings.lake.spark.staging_grace_s, known_unique=unique,
            )
        for k, batch_id in enumerate(batch_ids):
            size = min(batch_rows, total - k * batch_rows)
            n_bad = bad[k].quarantined if k in bad else 0
            if landed is None or k in done:
                batch = BatchReport(batch_id, size, 0, 0, size - n_bad, quarantined.get(k, 0), None, True)
            else:
                ins, upd = landed.inserted.get(k, 0), landed.updated.get(k, 0)
                batch = BatchReport(
                    batch_id, size, ins, upd, landed.unchanged.get(k, 0), quarantined.get(k, 0),
                    landed.version if (ins or upd) else None, False,
                )
            report.batches.append(batch)
            if on_batch is not None:
                on_batch(batch)
        write_watermark(storage, spec.source, spec.entity, bounds[-1][1], batch_ids[-1])
    finally:
        raw.unpersist()
    report.seconds = time.perf_counter() - started
    return report
