"""WMS bronze assets: every export dropped in the landing folder lands once, then is archived."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import dagster as dg

from infra.settings import get_settings
from lake.spec import EntitySpec
from lake.storage import LakeStorage
from orchestration.bronze import build_bronze_assets, freshness_checks
from pipelines.ingest import BatchReport, IngestReport
from pipelines.sources.wms.ingest import ingest_wms_entity
from pipelines.sources.wms.specs import wms_specs


class WmsResource(dg.ConfigurableResource):
    """The WMS landing and archive folders (``WMS__LANDING_DIR``, ``WMS__ARCHIVE_DIR``)."""

    def folders(self) -> Any:
        """``settings.wms``."""
        return get_settings().wms


def is_transient_wms_error(exc: BaseException) -> bool:
    """An unreachable landing folder (object store, network share) is worth retrying."""
    return isinstance(exc, (ConnectionError, TimeoutError))


def _ingest(
    context: dg.AssetExecutionContext,
    storage: LakeStorage,
    spec: EntitySpec,
    on_batch: Callable[[BatchReport], None],
) -> IngestReport:
    report = ingest_wms_entity(storage, spec, context.resources.wms.folders(), on_batch=on_batch)
    if report.files_not_recognised:
        context.log.warning(
            f"{len(report.files_not_recognised)} file(s) in the WMS landing folder match no WMS "
            f"export and were left there: {report.files_not_recognised[:10]}"
        )
    return report


wms_assets = build_bronze_assets(
    wms_specs(),
    _ingest,
    required_resource_keys={"wms"},
    kinds={"csv"},
    is_transient=is_transient_wms_error,
)
wms_freshness_checks = freshness_checks(wms_assets)
