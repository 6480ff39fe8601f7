"""One component for every bronze table: ingest an entity, report, check.

Every source (ERP, CRM, WMS, IoT, the transactional outbox) declares its
:class:`~lake.spec.EntitySpec` list and how to get an extractor; this factory turns
each spec into a Dagster asset whose key mirrors its storage path, with the same metadata
(rows, quarantined rows, Delta version, schema) and the same checks everywhere.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import dagster as dg

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table
from orchestration.quality.isolation import ISOLATES
from pipelines.ingest import BatchReport, IngestReport

#: quarantined / extracted above this share fails the (non-blocking) quarantine check.
QUARANTINE_RATE_WARN = 0.01
#: bronze tables are expected to be refreshed at least this often (daily schedule + slack).
FRESHNESS = dt.timedelta(hours=26)
#: how often a step is retried after a transient source error (exponential backoff).
TRANSIENT_RETRIES = 4

#: ingest(context, storage, spec, on_batch) -> report: how one source ingests one entity.
IngestFn = Callable[[dg.AssetExecutionContext, LakeStorage, EntitySpec, Callable[[BatchReport], None]], IngestReport]


def table_row_count(storage: LakeStorage, spec: EntitySpec) -> tuple[int, int | None]:
    """(rows, version) of a lake table from its Delta log statistics (no data scan)."""
    table = open_table(storage, spec.relative_path)
    if table is None:
        return 0, None
    actions = table.get_add_actions(flatten=True)
    rows = sum(v or 0 for v in actions.column("num_records").to_pylist()) if actions.num_rows else 0
    return int(rows), table.version()


def column_schema(spec: EntitySpec) -> dg.TableSchema:
    """The Dagster column schema of a lake table."""
    return dg.TableSchema(
        columns=[dg.TableColumn(f.name, str(f.type)) for f in spec.lake_schema]
    )


def check_results(
    spec: EntitySpec, report: IngestReport, rows: int, storage: LakeStorage, expect_rows: bool = True
) -> list[dg.AssetCheckResult]:
    """The standard bronze checks, computed from what the run just did."""
    table = open_table(storage, spec.relative_path)
    stored_schema = table.schema().to_arrow() if table is not None else None
    stored_names = list(stored_schema.names) if stored_schema is not None else []
    rate = (report.quarantined / report.extracted) if report.extracted else 0.0
    return [
        dg.AssetCheckResult(
            check_name="row_count",
            passed=rows > 0 or not expect_rows,
            metadata={"rows": rows, "empty_allowed": not expect_rows},
            description="the table holds at least one row" if expect_rows else "row count (may be empty)",
        ),
        dg.AssetCheckResult(
            check_name="schema_matches_declaration",
            passed=table is None or stored_names == list(spec.lake_schema.names),
            metadata={"stored": ", ".join(stored_names), "declared": ", ".join(spec.lake_schema.names)},
        ),
        dg.AssetCheckResult(
            check_name="quarantine_rate",
            passed=rate <= QUARANTINE_RATE_WARN,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={
                "quarantined": report.quarantined,
                "extracted": report.extracted,
                "rate": round(rate, 6),
                "threshold": QUARANTINE_RATE_WARN,
            },
        ),
    ]


def bronze_check_specs(spec: EntitySpec) -> list[dg.AssetCheckSpec]:
    key = dg.AssetKey(spec.asset_key)
    return [
        # isolating, not blocking: a failure leaves out only what reads this table
        # (orchestration.quality.isolation)
        dg.AssetCheckSpec("row_count", asset=key, description="at least one row", metadata={ISOLATES: True}),
        dg.AssetCheckSpec(
            "schema_matches_declaration", asset=key, metadata={ISOLATES: True},
            description="stored columns equal the entity's declared schema plus lineage columns",
        ),
        dg.AssetCheckSpec(
            "quarantine_rate", asset=key,
            description=f"quarantined rows ≤ {QUARANTINE_RATE_WARN:.0%} of the extracted rows",
        ),
    ]


def build_bronze_assets(
    specs: Sequence[EntitySpec],
    ingest: IngestFn,
    *,
    required_resource_keys: set[str],
    kinds: set[str],
    is_transient: Callable[[BaseException], bool] = lambda exc: False,
    group_name: str | None = None,
    deps: Sequence[Any] = (),
    expect_rows: bool = True,
) -> list[dg.AssetsDefinition]:
    """One asset per spec, ingesting it with ``ingest`` and reporting the standard checks.

    Args:
        specs: the entities.
        ingest: runs the ingest of one entity and returns its report.
        required_resource_keys: resources ``ingest`` uses (besides ``lake``).
        kinds: kinds shown in the UI (``{"delta", "postgres"}``).
        is_transient: tells errors that mean "try again later" (connection refused, 5xx …);
            those retry the step with exponential backoff instead of failing it.
        group_name: UI group (defaults to the source name).
        deps: upstream asset keys.
        expect_rows: whether an empty table fails the ``row_count`` check (an event stream
            such as the transactional outbox may legitimately be empty).
    """
    assets = []
    for spec in specs:
        assets.append(
            _bronze_asset(spec, ingest, required_resource_keys, kinds, is_transient, group_name, deps, expect_rows)
        )
    return assets


def _bronze_asset(
    spec: EntitySpec,
    ingest: IngestFn,
    required_resource_keys: set[str],
    kinds: set[str],
    is_transient: Callable[[BaseException], bool],
    group_name: str | None,
    deps: Sequence[Any],
    expect_rows: bool,
) -> dg.AssetsDefinition:
    @dg.asset(
        key=spec.asset_key,
        group_name=group_name or spec.source,
        description=spec.description or f"{spec.source} {spec.entity}",
        owners=list(spec.owners),
        kinds=kinds | {"delta"},
        metadata={
            "dagster/column_schema": column_schema(spec),
            "key": ", ".join(spec.key),
            "change_column": spec.change_column or "",
            "sql_name": spec.sql_name,
            "path": spec.relative_path,
        },
        check_specs=bronze_check_specs(spec),
        freshness_policy=dg.FreshnessPolicy.time_window(fail_window=FRESHNESS),
        required_resource_keys={"lake", *required_resource_keys},
        deps=list(deps),
    )
    def _asset(context) -> dg.MaterializeResult:
        storage: LakeStorage = context.resources.lake.storage()

        def on_batch(batch: BatchReport) -> None:
            context.log.info(
                f"{spec.name}: batch {batch.batch_id} +{batch.inserted} ~{batch.updated} "
                f"quarantined {batch.quarantined} version {batch.version}"
                + (" (already committed: no-op)" if batch.skipped_retry else "")
            )

        try:
            report = ingest(context, storage, spec, on_batch)
        except Exception as exc:
            if not is_transient(exc):
                raise
            wait = min(60, 2 ** (context.retry_number + 1))
            context.log.warning(f"{spec.name}: transient source error, retrying in {wait}s: {exc}")
            raise dg.RetryRequested(max_retries=TRANSIENT_RETRIES, seconds_to_wait=wait) from exc
        rows, version = table_row_count(storage, spec)
        if report.quarantined:
            context.log.warning(
                f"{spec.name}: {report.quarantined} row(s) quarantined to bronze.quarantine"
            )
        return dg.MaterializeResult(
            metadata={
                **report.as_metadata(),
                "dagster/row_count": rows,
                "delta_version": version if version is not None else -1,
            },
            check_results=check_results(spec, report, rows, storage, expect_rows),
        )

    return _asset


def freshness_checks(assets: Sequence[dg.AssetsDefinition]) -> Sequence[dg.AssetChecksDefinition]:
    """Last-update freshness checks for bronze assets (run after each materialization)."""
    with warnings.catch_warnings():
        # superseded by FreshnessPolicy (which the assets carry too), but the check is what
        # shows a stale table as a failed check next to row count and quarantine rate
        warnings.simplefilter("ignore", category=dg.SupersessionWarning)
        return dg.build_last_update_freshness_checks(assets=list(assets), lower_bound_delta=FRESHNESS)
