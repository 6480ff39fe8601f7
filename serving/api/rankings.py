"""``/api/v1/rankings`` and ``/api/v1/elimination-list``: ranked suppliers of a month and the
bottom decile with the metrics that put each supplier there."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from serving.access import ANALYST_ROLES, require_role, unit_filter
from serving.api.common import MonthQuery, month_of, page_body, reading
from serving.api.deps import ContextDep, PageDep, ViewerDep
from serving.errors import NotFoundError
from serving.repository import scorecards as repo
from serving.schemas.common import ERRORS
from serving.schemas.scorecards import EliminationPagePublic, RankingPagePublic
from serving.scorecards import metric_columns, metric_entries, plain
from serving.snapshot.store import Snapshot

router = APIRouter(tags=["rankings"])

UnitQuery = Annotated[str | None, Query(description="Business unit code; unit-scoped callers "
                                        "see their unit only")]
CategoryQuery = Annotated[str | None, Query(description="Main category id")]


def _month(snapshot: Snapshot, month: str | None):
    cursor = snapshot.cursor()
    wanted = month_of(month) or repo.latest_month(cursor)
    if wanted is None or not repo.month_exists(cursor, wanted):
        raise NotFoundError(f"no scorecards for month {month or 'latest'}",
                            details={"months": [m.isoformat()[:7] for m in repo.months(cursor)[:36]]})
    return wanted


@router.get("/rankings", response_model=RankingPagePublic, responses=ERRORS,
            summary="Supplier rankings by group, category or business unit")
def get_rankings(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    by: Annotated[Literal["group", "category", "business_unit"], Query(
        description="group: group rank; category: rank within the main category; "
                    "business_unit: rank within the main business unit")] = "group",
    month: MonthQuery = None,
    business_unit: UnitQuery = None,
    category_id: CategoryQuery = None,
) -> dict:
    """Ranked suppliers of a month (default: the latest), 1 = best overall score."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.supplier_scorecards") as snapshot:
        wanted = _month(snapshot, month)
        found = repo.rankings(snapshot.cursor(), page, by=by, month=wanted, unit=unit,
                              category_id=category_id)
        return page_body(found, by=by, scorecard_month=wanted)


@router.get("/elimination-list", response_model=EliminationPagePublic, responses=ERRORS,
            summary="The bottom-10 % list with its reasons")
def get_elimination_list(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    month: MonthQuery = None,
    business_unit: UnitQuery = None,
    category_id: CategoryQuery = None,
) -> dict:
    """Suppliers in the bottom decile of a month (default: the latest), lowest score first,
    each with the metrics furthest below their peer median (weighted) and every metric's
    value and score."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.supplier_scorecards") as snapshot:
        wanted = _month(snapshot, month)
        found = repo.elimination_list(snapshot.cursor(), page, month=wanted, unit=unit,
                                      category_id=category_id)
        definitions = snapshot.definitions()
        items = []
        for row in found.items:
            reasons = repo.parse_reasons(row.get("bottom_decile_reasons"))
            for reason in reasons:
                reason["definition"] = definitions.get(reason["metric"]) if reason["metric"] else None
            metrics = metric_entries(row, metric_columns(list(row)), None)
            items.append({**{k: plain(v) for k, v in row.items()}, "reasons": reasons,
                          "metrics": metrics})
        return page_body(found, items=items, scorecard_month=wanted)
