"""ERP bronze assets: one per ERP table, ingested incrementally by keyset watermark."""

from __future__ import annotations

from collections.abc import Callable

import dagster as dg
import sqlalchemy as sa

from infra.settings import get_settings
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from orchestration.bronze import build_bronze_assets, freshness_checks
from pipelines.ingest import BatchReport, IngestReport, ingest_entity
from pipelines.sources.erp.extract import ErpExtractor, create_source_engine
from pipelines.sources.erp.specs import erp_specs


class ErpResource(dg.ConfigurableResource):
    """The ERP database (``ERP__DATABASE_URL``)."""

    def extractor(self) -> ErpExtractor:
        """An extractor on the configured ERP database."""
        from pipelines.sources.erp.tables import metadata

        settings = get_settings()
        engine = create_source_engine(settings.erp.database_url)
        return ErpExtractor(engine, metadata, batch_rows=settings.erp.batch_rows)


_TRANSIENT_MARKERS = (
    "could not connect", "connection refused", "server closed the connection",
    "database is locked", "timeout", "too many connections", "lost connection",
    "connection reset", "temporarily unavailable",
)


def is_transient_db_error(exc: BaseException) -> bool:
    """Whether a database error is worth retrying (the server was unreachable or busy)."""
    if isinstance(exc, (ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, sa.exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        text = str(exc.orig).lower()
        return any(marker in text for marker in _TRANSIENT_MARKERS)
    return False


def _ingest(
    context: dg.AssetExecutionContext,
    storage: LakeStorage,
    spec: EntitySpec,
    on_batch: Callable[[BatchReport], None],
) -> IngestReport:
    extractor = context.resources.erp.extractor()
    try:
        if get_settings().lake.engine == "spark":  # engine hook (pipelines/engines)
            from pipelines.engines.spark_erp import ingest_entity_spark

            return ingest_entity_spark(storage, spec, extractor, on_batch=on_batch)
        return ingest_entity(storage, spec, extractor, on_batch=on_batch)
    finally:
        extractor.engine.dispose()


erp_assets = build_bronze_assets(
    erp_specs(),
    _ingest,
    required_resource_keys={"erp"},
    kinds={"sql"},
    is_transient=is_transient_db_error,
)
erp_freshness_checks = freshness_checks(erp_assets)
