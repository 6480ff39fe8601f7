"""``/api/v1/scorecards``: a supplier's current scorecard (the hot path), its monthly history,
and the current scorecards of every supplier in scope.

The current scorecard is pre-rendered in the snapshot with its ETag, so this route only
checks the token (cached), the caller's right to the supplier, ``If-None-Match``, and sends
the stored bytes. ``Cache-Control: private`` (the answer depends on who asks) with a
max-age from settings; ``304`` when the client's ETag is current. Its two routes (by key and
``/me``) sit on the app itself, ahead of every router (:func:`add_hot_routes`); the history
and the list are in :data:`router`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Header, Query, Request, Response

from infra.http.pages import Page
from serving.access import (
    ANALYST_ROLES,
    SCORECARD_ROLES,
    Viewer,
    may_see_supplier,
    require_role,
    unit_filter,
)
from serving.api.common import SNAPSHOT_HEADER, MonthQuery, month_range, page_body, reading
from serving.api.deps import AppContext, ContextDep, PageDep, ViewerDep
from serving.errors import NotFoundError
from serving.repository import scorecards as repo
from serving.schemas.common import ERRORS
from serving.schemas.scorecards import (
    ScorecardHistoryPublic,
    ScorecardPublic,
    ScorecardSummaryPublic,
)
from serving.scorecards import encode, etag_matches, etag_of, scorecard_body
from serving.snapshot.store import Snapshot

router = APIRouter(prefix="/scorecards", tags=["scorecards"])

CACHED = {
    200: {"model": ScorecardPublic, "description": "The scorecard (with `ETag`, `Cache-Control`)"},
    304: {"description": "Not modified: your `If-None-Match` ETag is current"},
}


def _own_key(snapshot: Snapshot, viewer: Viewer) -> str | None:
    if viewer.role != "supplier" or viewer.supplier_id is None:
        return None
    return snapshot.platform_keys.get(viewer.supplier_id)


def _cache_headers(context: AppContext, snapshot: Snapshot, etag: str) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": f"private, max-age={context.settings.serving.scorecard_max_age_s}",
            "Vary": "Authorization", SNAPSHOT_HEADER: snapshot.snapshot_id}


def _current(context: AppContext, viewer: Viewer, supplier_key: str | None,
             if_none_match: str | None) -> Response:
    require_role(viewer, SCORECARD_ROLES)
    store = context.store
    snapshot = store.acquire()
    try:
        own = _own_key(snapshot, viewer)
        if supplier_key is None:  # /me
            if own is None:
                raise NotFoundError("your supplier account is not linked to a golden supplier "
                                    "in this snapshot" if viewer.role == "supplier"
                                    else "only a supplier has its own scorecard")
            supplier_key = own
        document = snapshot.document(supplier_key)
        if document is None or not may_see_supplier(viewer, document.units, own, supplier_key):
            raise NotFoundError(f"no current scorecard for supplier {supplier_key!r}")
        headers = _cache_headers(context, snapshot, document.etag)
        if etag_matches(if_none_match, document.etag):
            return Response(status_code=304, headers=headers)
        return Response(document.body, media_type="application/json", headers=headers)
    finally:
        store.release(snapshot)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


#: The hot routes read their token, headers and supplier key straight from the request:
#: FastAPI resolves and validates nothing for them (each dependency or parameter costs
#: measurable time per request); OpenAPI still shows the bearer scheme and the parameters.
HOT_ROUTE_DOCS = {
    "security": [{"HTTPBearer": []}],
    "parameters": [{"name": "If-None-Match", "in": "header", "required": False,
                    "schema": {"type": "string"}, "description": "An ETag you hold: 304 if current"}],
}
SUPPLIER_KEY_DOC = {"name": "supplier_key", "in": "path", "required": True,
                    "schema": {"type": "string"}, "description": "The golden supplier's key"}


async def get_my_scorecard(request: Request) -> Response:
    """A supplier's own current scorecard (its platform id mapped to its golden supplier)."""
    context: AppContext = request.app.state.context
    viewer = context.tokens.viewer(_bearer(request))
    return _current(context, viewer, None, request.headers.get("if-none-match"))


async def get_scorecard(request: Request) -> Response:
    """The latest complete month's scorecard: every metric with its value, 0-100 score and
    definition, group scores, the weighted overall score, ranks and the elimination flag."""
    context: AppContext = request.app.state.context
    viewer = context.tokens.viewer(_bearer(request))
    return _current(context, viewer, request.path_params["supplier_key"],
                    request.headers.get("if-none-match"))


def add_hot_routes(app: FastAPI, prefix: str) -> None:
    """Register the current-scorecard routes on ``app`` itself, before any router is included.

    Routes are matched in order, and a route of an included router costs a match through
    every router level on each request; these are the routes clients call most.

    Args:
        app: the serving app (call before ``include_router``).
        prefix: the API prefix (``/api/v1``).
    """
    common = {"methods": ["GET"], "response_model": None, "responses": {**CACHED, **ERRORS},
              "tags": ["scorecards"]}
    app.add_api_route(f"{prefix}/scorecards/me", get_my_scorecard, **common,
                      summary="Your own current scorecard (suppliers)", openapi_extra=HOT_ROUTE_DOCS)
    app.add_api_route(f"{prefix}/scorecards/{{supplier_key}}", get_scorecard, **common,
                      summary="A supplier's current scorecard", openapi_extra={
                          **HOT_ROUTE_DOCS,
                          "parameters": [SUPPLIER_KEY_DOC, *HOT_ROUTE_DOCS["parameters"]]})


@router.get("/{supplier_key}/history", response_model=None,
            responses={200: {"model": ScorecardHistoryPublic}, 304: CACHED[304], **ERRORS},
            summary="A supplier's monthly scorecards")
def get_history(
    context: ContextDep, viewer: ViewerDep, supplier_key: str, page: PageDep, response: Response,
    from_month: MonthQuery = None, to_month: MonthQuery = None,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Monthly scorecards (newest first) in a month range, each metric's definition once."""
    require_role(viewer, SCORECARD_ROLES)
    first, last = month_range(from_month, to_month)
    with reading(context, response, "gold.supplier_scorecards") as snapshot:
        cursor = snapshot.cursor()
        if viewer.role == "supplier":
            visible = _own_key(snapshot, viewer) == supplier_key
        else:
            visible = may_see_supplier(viewer, repo.in_unit(cursor, supplier_key), None, supplier_key)
        if not visible or not repo.has_scorecards(cursor, supplier_key):
            raise NotFoundError(f"no scorecards for supplier {supplier_key!r}")
        found = repo.history(cursor, supplier_key, page, from_month=first, to_month=last)
        definitions = snapshot.definitions()
        items = [scorecard_body(row, None) for row in found.items]
        body = encode({"supplier_key": supplier_key, "definitions": definitions,
                       **page_body(found, items=items)})
        headers = _cache_headers(context, snapshot, etag_of(body))
    if etag_matches(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


@router.get("", response_model=Page[ScorecardSummaryPublic], responses=ERRORS,
            summary="Current scorecards of the suppliers in scope")
def list_scorecards(
    context: ContextDep, viewer: ViewerDep, page: PageDep, response: Response,
    business_unit: Annotated[str | None, Query(description="Suppliers in this unit")] = None,
    category_id: Annotated[str | None, Query(description="Main category")] = None,
    ranked_only: Annotated[bool, Query(description="Only ranked suppliers")] = False,
    bottom_decile: Annotated[bool | None, Query(description="On (or off) the elimination list")] = None,
    q: Annotated[str | None, Query(description="Name or group supplier id contains")] = None,
) -> dict:
    """Headline figures of every current scorecard in scope, best overall score first."""
    require_role(viewer, ANALYST_ROLES)
    unit = unit_filter(viewer, business_unit)
    with reading(context, response, "gold.supplier_scorecards_current") as snapshot:
        return page_body(repo.current_list(snapshot.cursor(), page, unit=unit, category_id=category_id,
                                           ranked_only=ranked_only, bottom_decile=bottom_decile, query=q))
