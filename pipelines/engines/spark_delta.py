"""Land a validated Spark DataFrame into its Delta table with the embedded writer's semantics.

Spark does the heavy lifting in parallel (dedupe, the join against the stored keys, the
Parquet writing); delta-rs does every commit (:mod:`pipelines.engines.parquet_commit`):

- rows with new keys are written by Spark into the table's staging folder and committed as
  one ``create_write_transaction`` recording the batches' transaction app ids
  (:func:`lake.batch.transaction_app_id`), so a retried batch is a no-op;
- rows that update a stored key (only when their change timestamp is strictly newer) are
  written by Spark as staging Parquet and merged by delta-rs ``merge`` with the embedded
  writer's predicate;
- when a run has both, the merge commits first under the ``updates`` app ids and the
  append last under the canonical ``data`` app ids: a crash in between is completed by any
  retry (Spark or embedded), since re-merging an applied update changes nothing;
- a run that changes nothing commits nothing (no new Delta version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pyarrow.dataset as pads
from deltalake import CommitProperties, DeltaTable, Transaction

from lake.batch import transaction_app_id
from lake.conform import conform_files
from lake.spec import LINEAGE_COLUMNS, EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table, read_columns
from pipelines.engines.parquet_commit import (
    Staging,
    abandon,
    add_actions,
    clean_uncommitted,
    commit_files,
    finish,
    new_staging,
    parquet_files,
    publish_staged,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

CLASS = "__class"
_STORED = "__stored_change"
_FOUND = "__stored"


@dataclass
class LandResult:
    """What landing one Spark run did, per group (batch) and in total."""

    inserted: dict[object, int] = field(default_factory=dict)
    updated: dict[object, int] = field(default_factory=dict)
    unchanged: dict[object, int] = field(default_factory=dict)
    versions: list[int] = field(default_factory=list)  # Delta versions committed, in order
    skipped_retry: bool = False

    @property
    def version(self) -> int | None:
        return self.versions[-1] if self.versions else None


def committed_batches(table: DeltaTable | None, batch_ids: Sequence[str]) -> set[str]:
    """The batch ids whose data commit is already in ``table``'s log."""
    if table is None:
        return set()
    return {b for b in batch_ids if table.transaction_version(transaction_app_id(b)) is not None}


def latest_per_key(
    df: DataFrame,
    spec: EntitySpec,
    group_col: str | None,
    order_col: str | None,
    known_unique: bool = False,
) -> DataFrame:
    """One row per key, as the embedded writer would leave it after landing the batches in order.

    The newest change timestamp wins; on a tie the earliest batch wins (a later batch is not
    newer) and, within a batch, the last row. Costs a shuffle only when keys repeat.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keys = list(spec.key)
    if known_unique or df.groupBy(*keys).count().filter(F.col("count") > 1).limit(1).count() == 0:
        return df
    order = []
    if spec.change_column:
        order.append(F.col(spec.change_column).desc())
    if group_col:
        order.append(F.col(group_col).asc())
    if order_col:
        order.append(F.col(order_col).desc())
    window = Window.partitionBy(*keys).orderBy(*order)
    return df.withColumn("__rank", F.row_number().over(window)).filter("__rank = 1").drop("__rank")


def _stored_keys(spark: SparkSession, table: DeltaTable, spec: EntitySpec) -> DataFrame:
    """Key and change columns of the stored snapshot, read by Spark from the table's files."""
    cols = [*spec.key, *([spec.change_column] if spec.change_column else [])]
    files = table.file_uris()
    if any(c in spec.partition_by for c in cols) or not files:
        # partition values live in the log, not in the files: read through delta-rs
        return spark.createDataFrame(read_columns(table, cols))
    return spark.read.parquet(*files).select(*cols)


def classify(spark: SparkSession, table: DeltaTable | None, df: DataFrame, spec: EntitySpec) -> DataFrame:
    """Tag every row ``insert`` (new key), ``update`` (strictly newer) or ``unchanged``."""
    from pyspark.sql import functions as F

    if table is None:
        return df.withColumn(CLASS, F.lit("insert"))
    stored = _stored_keys(spark, table, spec).withColumn(_FOUND, F.lit(True))
    if spec.change_column:
        stored = stored.withColumnRenamed(spec.change_column, _STORED)
    joined = df.join(stored, on=list(spec.key), how="left")
    newer = F.col(spec.change_column) > F.col(_STORED) if spec.change_column else F.lit(False)
    tag = (
        F.when(F.col(_FOUND).isNull(), F.lit("insert"))
        .when(F.coalesce(newer, F.lit(False)), F.lit("update"))
        .otherwise(F.lit("unchanged"))
    )
    return joined.withColumn(CLASS, tag).drop(_FOUND, *([_STORED] if spec.change_column else []))


def land_dataframe(
    spark: SparkSession,
    storage: LakeStorage,
    spec: EntitySpec,
    good: DataFrame,
    batch_ids: Sequence[str],
    *,
    ingested_at: dt.datetime | None = None,
    group_col: str | None = None,
    order_col: str | None = None,
    target_file_rows: int = 1_000_000,
    staging_grace_s: float = 3600.0,
    known_unique: bool = False,
) -> LandResult:
    """Merge validated rows into ``spec``'s Delta table, committed by delta-rs.

    Args:
        spark: the session.
        storage: the lake (local lakes only: Spark has no object-store jars here).
        spec: the entity.
        good: validated rows: the declared columns with their declared types, a
            ``_batch_id`` column, and optionally ``group_col`` / ``order_col``.
        batch_ids: every batch id present in ``good`` (their transaction app ids are
            recorded by the commit).
        ingested_at: stamped on every row (default now, UTC).
        group_col: column telling the rows' batch (per-batch counts, dedupe order).
        order_col: column giving the rows' order within the run (dedupe ties).
        target_file_rows: most rows per data file.
        staging_grace_s: leftovers of crashed attempts older than this are deleted first.
        known_unique: the keys of ``good`` are known to be distinct (no dedupe pass).

    Returns:
        A :class:`LandResult`; ``skipped_retry`` when every batch was already committed.

    Example:
        >>> land_dataframe(spark, storage, spec, df.withColumn("_batch_id", lit("b1")), ["b1"])  # doctest: +SKIP
    """
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    if not storage.is_local:
        raise NotImplementedError(
            "the Spark engine writes local lakes only (Spark has no object-store jars here); "
            "use LAKE__ENGINE=embedded for s3:// lakes"
        )
    uri = storage.uri(spec.relative_path)
    clean_uncommitted(uri, staging_grace_s)
    table = open_table(storage, spec.relative_path)
    done = committed_batches(table, batch_ids)
    if batch_ids and done == set(batch_ids):
        return LandResult(skipped_retry=True)
    if done:
        raise ValueError(f"{spec.name}: batches {sorted(done)} are already committed; leave them out")

    ingested_at = ingested_at or dt.datetime.now(dt.UTC)
    rows = latest_per_key(good, spec, group_col, order_col, known_unique)
    lineage = rows.withColumn("_source", F.lit(spec.source)).withColumn("_ingested_at", F.lit(ingested_at))
    extra = [c for c in (group_col,) if c]
    lake_cols = [*spec.schema.names, *LINEAGE_COLUMNS]
    classified = classify(spark, table, lineage.select(*lake_cols, *extra), spec)
    if table is not None:  # the join is used three times (counts, updates, inserts): keep it
        classified = classified.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        counts = classified.groupBy(*(extra or [F.lit(None).alias("__g")]), CLASS).count().collect()
        result = LandResult()
        for row in counts:
            bucket = {"insert": result.inserted, "update": result.updated, "unchanged": result.unchanged}[row[CLASS]]
            bucket[row[0]] = bucket.get(row[0], 0) + row["count"]
        n_insert, n_update = sum(result.inserted.values()), sum(result.updated.values())
        if n_insert == 0 and n_update == 0:
            return result
        staging = new_staging(uri)
        try:
            _write_and_commit(
                classified, spec, uri, storage, staging, batch_ids, n_insert, n_update,
                target_file_rows, result,
            )
        finally:
            finish(staging)
        return result
    finally:
        if table is not None:
            classified.unpersist()


def _write_and_commit(
    classified: DataFrame,
    spec: EntitySpec,
    uri: str,
    storage: LakeStorage,
    staging: Staging,
    batch_ids: Sequence[str],
    n_insert: int,
    n_update: int,
    target_file_rows: int,
    result: LandResult,
) -> None:
    from pyspark.sql import functions as F

    lake_cols = [*spec.schema.names, *LINEAGE_COLUMNS]
    data_ids = [transaction_app_id(b) for b in batch_ids]
    update_ids = [transaction_app_id(b, "updates") for b in batch_ids]
    metadata = {"grouplake.batch_id": batch_ids[-1], "grouplake.batch_ids": list(batch_ids), "grouplake.engine": "spark"}
    if n_update:
        table = DeltaTable(uri, storage_options=storage.delta_options())
        ids = data_ids if n_insert == 0 else update_ids
        if not all(table.transaction_version(i) is not None for i in ids):
            updates = classified.filter(F.col(CLASS) == "update").select(*lake_cols)
            updates.write.mode("error").parquet(str(staging.part("updates")))
            source = pads.dataset([str(p) for p in parquet_files(staging.part("updates"))], format="parquet")
            predicate = " AND ".join(f"t.{k} = s.{k}" for k in spec.key)
            update_when = f"s.{spec.change_column} > t.{spec.change_column}" if spec.change_column else None
            before = set(table.file_uris())
            (
                table.merge(
                    source.scanner().to_reader(),
                    predicate=predicate,
                    source_alias="s",
                    target_alias="t",
                    commit_properties=CommitProperties(
                        app_transactions=[Transaction(i, 1) for i in ids], custom_metadata=metadata
                    ),
                )
                .when_matched_update_all(predicate=update_when)
                .when_not_matched_insert_all()
                .execute()
            )
            table.update_incremental()
            result.versions.append(table.version())
            # the MERGE wrote string_view files: rewrite them to the declared types (lake.conform)
            conform_files(table, only=set(table.file_uris()) - before)
    if n_insert:
        inserts = classified.filter(F.col(CLASS) == "insert").select(*lake_cols)
        writer = inserts.write.mode("error").option("maxRecordsPerFile", target_file_rows)
        if spec.partition_by:
            writer = writer.partitionBy(*spec.partition_by)
        writer.parquet(str(staging.part("inserts")))
        published = publish_staged(staging, "inserts", data_ids)
        try:
            actions = add_actions(uri, published, spec.lake_schema, spec.partition_by)
            version = commit_files(
                uri, spec.lake_schema, actions, data_ids,
                partition_by=spec.partition_by, name=spec.sql_name,
                description=spec.description or None, custom_metadata=metadata,
                storage_options=storage.delta_options(),
            )
        except Exception:
            abandon(staging, published)
            raise
        result.versions.append(version)
