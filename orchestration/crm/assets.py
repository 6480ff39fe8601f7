"""CRM bronze assets: one per CRM entity, paged incrementally from the committed watermark."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dagster as dg
import httpx

from infra.settings import get_settings
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from orchestration.bronze import build_bronze_assets, freshness_checks
from pipelines.ingest import BatchReport, IngestReport, ingest_entity
from pipelines.sources.crm.client import CrmUnavailable
from pipelines.sources.crm.extract import CrmExtractor
from pipelines.sources.crm.specs import crm_specs
from pipelines.sources.shared.lock import entity_lock

__all__ = ["crm_assets", "crm_freshness_checks", "is_transient_crm_error"]


@dataclass
class CrmIngestReport(IngestReport):
    """An ingest report plus what the HTTP client went through."""

    requests: int = 0
    retries: int = 0
    statuses: dict[str, int] | None = None

    def as_metadata(self) -> dict[str, Any]:
        return {
            **super().as_metadata(),
            "http_requests": self.requests,
            "http_retries": self.retries,
            "http_statuses": ", ".join(f"{k}: {v}" for k, v in sorted((self.statuses or {}).items())),
        }


def is_transient_crm_error(exc: BaseException) -> bool:
    """Whether a CRM failure is worth retrying later (429/5xx/timeouts after the client's own
    retries, connection refused or reset)."""
    return isinstance(exc, (CrmUnavailable, httpx.TransportError, ConnectionError, TimeoutError))


def ingest_crm_entity(client: Any, storage: LakeStorage, spec: EntitySpec,
                      on_batch: Callable[[BatchReport], None] | None = None) -> CrmIngestReport:
    """Ingest one CRM entity with ``client`` (paging settings from ``settings.crm``)."""
    crm = get_settings().crm
    extractor = CrmExtractor(client, page_size=crm.page_size, pages_per_batch=crm.pages_per_batch)
    before = client.stats.requests, client.stats.retries
    with entity_lock(storage, spec.source, spec.entity):
        report = ingest_entity(storage, spec, extractor, on_batch=on_batch)
    return CrmIngestReport(
        entity=report.entity, batches=report.batches, seconds=report.seconds,
        requests=client.stats.requests - before[0], retries=client.stats.retries - before[1],
        statuses={str(k): v for k, v in client.stats.statuses.items()},
    )


def _ingest(
    context: dg.AssetExecutionContext,
    storage: LakeStorage,
    spec: EntitySpec,
    on_batch: Callable[[BatchReport], None],
) -> IngestReport:
    with context.resources.crm.client() as client:
        report = ingest_crm_entity(client, storage, spec, on_batch)
    if report.retries:
        context.log.info(f"{spec.name}: {report.retries} request(s) retried ({report.statuses})")
    return report


crm_assets = build_bronze_assets(
    crm_specs(),
    _ingest,
    required_resource_keys={"crm"},
    kinds={"api"},
    is_transient=is_transient_crm_error,
)
crm_freshness_checks = freshness_checks(crm_assets)
