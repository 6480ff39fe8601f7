"""Transactional platform assets: ``bronze/tx/outbox_events``, the service's business
events, read after the last committed ``sequence_id``.

The outbox asset is built by :func:`build_outbox_assets` so that a deployment profile can
order it after what fills the service in that deployment (the demo profile: its platform
seed, ``orchestration.demo.assets``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg
import sqlalchemy as sa

from infra.settings import get_settings
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from orchestration.bronze import build_bronze_assets, freshness_checks
from orchestration.erp.assets import is_transient_db_error
from pipelines.ingest import BatchReport, IngestReport, ingest_entity
from pipelines.sources.tx.outbox import OUTBOX_SPEC, OutboxExtractor


class OltpResource(dg.ConfigurableResource):
    """The transactional database, read-only (``OLTP__DATABASE_URL``)."""

    def extractor(self) -> OutboxExtractor:
        """An outbox extractor on the configured transactional database."""
        return OutboxExtractor(sa.create_engine(get_settings().oltp.database_url))


def _ingest(
    context: dg.AssetExecutionContext,
    storage: LakeStorage,
    spec: EntitySpec,
    on_batch: Callable[[BatchReport], None],
) -> IngestReport:
    extractor = context.resources.oltp.extractor()
    try:
        return ingest_entity(storage, spec, extractor, on_batch=on_batch)
    finally:
        extractor.engine.dispose()


def build_outbox_assets(
    after: Sequence[dg.AssetKey] = (),
) -> tuple[list[dg.AssetsDefinition], list[dg.AssetChecksDefinition]]:
    """The outbox's bronze asset and its freshness checks.

    Args:
        after: assets the outbox ingest runs after (what writes the service's events).

    Returns:
        ``(assets, freshness checks)``.
    """
    assets = build_bronze_assets(
        [OUTBOX_SPEC],
        _ingest,
        required_resource_keys={"oltp"},
        kinds={"sql"},
        is_transient=is_transient_db_error,
        group_name="tx",
        deps=list(after),
        expect_rows=False,
    )
    return assets, freshness_checks(assets)
