"""``/api/v1/snapshot``: which snapshot is served (gold versions, rows); column docs and metrics."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from serving.access import ANALYST_ROLES, SCORECARD_ROLES, require_role
from serving.api.common import reading
from serving.api.deps import ContextDep, ViewerDep
from serving.repository.paging import rows
from serving.schemas.common import ERRORS
from serving.schemas.snapshot import ColumnDocPublic, MetricDefinitionPublic, SnapshotPublic
from serving.snapshot.catalog import served_marts

router = APIRouter(tags=["snapshot"])


@router.get("/snapshot", response_model=SnapshotPublic, responses=ERRORS,
            summary="The snapshot being served")
def get_snapshot(context: ContextDep, viewer: ViewerDep, response: Response) -> SnapshotPublic:
    """The snapshot id, when it was built and the gold version of every table it copied
    (procurement, finance and admin: the group's tables and their sizes are not a supplier's
    business; every response names its snapshot in ``X-Serving-Snapshot`` anyway)."""
    require_role(viewer, ANALYST_ROLES)
    with reading(context, response) as snapshot:
        info = snapshot.info
        tables = [{"mart": mart, "delta_version": s["version"], "rows": s["rows"]}
                  for mart, s in sorted(info.sources.items())]
        return SnapshotPublic(snapshot_id=info.snapshot_id, built_at=info.built_at,
                              build_seconds=info.build_seconds, tables=tables,
                              missing_marts=[m for m in served_marts() if m not in info.sources])


@router.get("/metrics", response_model=list[MetricDefinitionPublic], responses=ERRORS,
            summary="Scorecard metrics and their definitions")
def list_metrics(context: ContextDep, viewer: ViewerDep, response: Response) -> list[dict]:
    """Every scorecard metric with its group and definition (the mart's dbt contract)."""
    require_role(viewer, SCORECARD_ROLES)
    with reading(context, response, "serving.metric_definitions") as snapshot:
        return rows(snapshot.cursor(), "SELECT metric, metric_group, definition, score_definition "
                    "FROM serving.metric_definitions ORDER BY position")


@router.get("/columns", response_model=list[ColumnDocPublic], responses=ERRORS,
            summary="Column documentation of the served marts")
def list_columns(
    context: ContextDep, viewer: ViewerDep, response: Response,
    mart: Annotated[str | None, Query(description="e.g. supplier_scorecards")] = None,
) -> list[dict]:
    """The dbt contract's description of every column of the served marts."""
    require_role(viewer, ANALYST_ROLES)
    with reading(context, response) as snapshot:
        where, params = (" WHERE mart = ?", [mart]) if mart else ("", [])
        return rows(snapshot.cursor(), "SELECT mart, column_name, description FROM "
                    f"serving.column_docs{where} ORDER BY mart, column_name", params)
