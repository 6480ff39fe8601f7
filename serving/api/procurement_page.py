"""Routes of the procurement web page (thin: read the snapshot, render a template).

Authentication is the APIs': a bearer header, or the token pasted on the login page and kept
in an HttpOnly, SameSite=Strict cookie limited to ``/procurement``. Without a valid token a
page redirects to the login form; a role outside procurement / finance / admin gets 403.
Unit-scoped callers see their unit's suppliers only (the API's rules, ``serving.access``).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from infra.http.pages import PageRequest
from serving.access import ANALYST_ROLES, Viewer, may_see_supplier
from serving.api.deps import ContextDep
from serving.errors import UnauthenticatedError
from serving.repository import scorecards as scorecard_repo
from serving.repository import suppliers as supplier_repo
from serving.repository.paging import one, rows
from serving.web.svg import Band, line_chart

router = APIRouter(prefix="/procurement", include_in_schema=False)

COOKIE = "grouplake_token"
TREND_MONTHS = 24
LIST_LIMIT = 1000
SCORE_SERIES = {"overall": "overall_score", "quality": "quality_score", "delivery": "delivery_score",
                "price": "price_score", "service": "service_score"}
NEEDED = ("gold.supplier_master", "gold.supplier_scorecards")
#: HTML is per user and changes with every snapshot.
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                                       "form-action 'self'; frame-ancestors 'none'"}


@functools.cache
def _templates() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(loader=PackageLoader("serving.web", "templates"), autoescape=select_autoescape(["html"]))


def _html(template: str, status: int = 200, **values: Any) -> HTMLResponse:
    body = _templates().get_template(template).render(**values)
    return HTMLResponse(body, status_code=status, headers=NO_STORE)


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def _viewer(context: Any, request: Request) -> Viewer | None:
    try:
        return context.tokens.viewer(_token(request))
    except UnauthenticatedError:
        return None


def _error(status: int, message: str, snapshot_id: str = "", viewer: Viewer | None = None) -> HTMLResponse:
    return _html("base.html", status, title=message, snapshot_id=snapshot_id, viewer=viewer)


def _guard(context: Any, request: Request) -> Viewer | Response:
    viewer = _viewer(context, request)
    if viewer is None:
        return RedirectResponse("/procurement/login", status_code=303, headers=NO_STORE)
    if viewer.role not in ANALYST_ROLES:
        return _error(403, f"role {viewer.role!r} may not open the procurement page", viewer=viewer)
    return viewer


@router.get("/login")
def login_form(context: ContextDep) -> HTMLResponse:
    """The form where a user pastes a token once."""
    return _html("login.html", title="Log in", snapshot_id="", viewer=None, error=None)


@router.post("/login")
def login(context: ContextDep, token: Annotated[str, Form(max_length=8192)]) -> Response:
    """Verify the token, keep it in the page's cookie, go to the list."""
    try:
        viewer = context.tokens.viewer(token.strip())
    except UnauthenticatedError as exc:
        return _html("login.html", 401, title="Log in", snapshot_id="", viewer=None, error=str(exc))
    if viewer.role not in ANALYST_ROLES:
        return _html("login.html", 403, title="Log in", snapshot_id="", viewer=None,
                     error=f"role {viewer.role!r} may not open the procurement page")
    response = RedirectResponse("/procurement", status_code=303, headers=NO_STORE)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict", path="/procurement",
                        secure=context.settings.env != "local")
    return response


@router.post("/logout")
def logout() -> Response:
    """Forget the cookie."""
    response = RedirectResponse("/procurement/login", status_code=303, headers=NO_STORE)
    response.delete_cookie(COOKIE, path="/procurement")
    return response


@router.get("")
def elimination_page(context: ContextDep, request: Request) -> Response:
    """The latest month's elimination list in the caller's scope, with reasons."""
    viewer = _guard(context, request)
    if isinstance(viewer, Response):
        return viewer
    with context.store.lease() as snapshot:
        if not all(snapshot.has(t) for t in NEEDED):
            return _error(503, "The supplier marts are not published yet", snapshot.snapshot_id, viewer)
        cursor = snapshot.cursor()
        month = scorecard_repo.latest_month(cursor)
        listed = (scorecard_repo.elimination_list(cursor, PageRequest(LIST_LIMIT, 0), month=month,
                                                  unit=viewer.unit, category_id=None).items if month else [])
        for row in listed:
            row["reasons"] = scorecard_repo.parse_reasons(row.get("bottom_decile_reasons"))
        return _html("elimination.html", title="Supplier elimination list", snapshot_id=snapshot.snapshot_id,
                     viewer=viewer, month=month, rows=listed)


@router.get("/suppliers/{supplier_key}")
def supplier_page(context: ContextDep, request: Request, supplier_key: str) -> Response:
    """Supplier 360: status, score and price trends (SVG), weakest metrics, monthly table."""
    viewer = _guard(context, request)
    if isinstance(viewer, Response):
        return viewer
    if len(supplier_key) > 64:
        return _error(404, "No such supplier", viewer=viewer)
    with context.store.lease() as snapshot:
        if not all(snapshot.has(t) for t in NEEDED):
            return _error(503, "The supplier marts are not published yet", snapshot.snapshot_id, viewer)
        cursor = snapshot.cursor()
        supplier = supplier_repo.golden_record(cursor, supplier_key)
        if supplier is None or not may_see_supplier(viewer, scorecard_repo.in_unit(cursor, supplier_key),
                                                    None, supplier_key):
            return _error(404, "No such supplier", snapshot.snapshot_id, viewer)
        history = list(reversed(rows(cursor, f"""
            SELECT scorecard_month, {', '.join(SCORE_SERIES.values())}, is_ranked, unranked_reason,
                   group_rank, ranked_supplier_count, is_bottom_decile, weakest_metrics
            FROM gold.supplier_scorecards WHERE supplier_key = ?
            ORDER BY scorecard_month DESC LIMIT ?""", [supplier_key, TREND_MONTHS])))
        current = history[-1] if history else None
        cut = one(cursor, "SELECT max(overall_score) AS cut FROM gold.supplier_scorecards "
                  "WHERE scorecard_month = ? AND is_bottom_decile", [current["scorecard_month"]]) if current else None
        prices = (list(reversed(supplier_repo.price_trend(cursor, supplier_key, last=TREND_MONTHS)))
                  if snapshot.has("gold.supplier_price_history") else [])
        months = [str(r["scorecard_month"])[:7] for r in history]
        bands = [Band(0.0, float(cut["cut"]), "elimination zone this month")] if cut and cut["cut"] is not None else []
        score_chart = line_chart(months, {name: [_float(r[col]) for r in history] for name, col in SCORE_SERIES.items()},
                                 title=f"Scores of {supplier['golden_name']}", y_min=0, y_max=100, bands=bands)
        price_chart = line_chart([str(r["price_month"])[:7] for r in prices],
                                 {"paid vs median": [_float(r["price_paid_vs_median_pct"]) for r in prices],
                                  "quoted vs median": [_float(r["quote_vs_median_pct"]) for r in prices]},
                                 title=f"Prices of {supplier['golden_name']}", unit="%")
        weakest = scorecard_repo.parse_reasons(current.get("weakest_metrics")) if current else []
        return _html("supplier.html", title=supplier["golden_name"], snapshot_id=snapshot.snapshot_id,
                     viewer=viewer, supplier=supplier, current=current, history=history, weakest=weakest,
                     score_chart=score_chart, price_chart=price_chart)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)
