"""The serving API's one entry point: ``create_app`` (``uvicorn serving.main:create_app --factory``).

Building the app reads settings and prepares the snapshot store; the first request (or
``/readyz``) opens the current snapshot. The app never writes: snapshots are built by the
Dagster asset ``["serving", "snapshot"]`` (``grouplake serving snapshot`` by hand).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from infra.http.docs import install_offline_docs
from infra.settings import Settings, get_settings
from serving.api import (
    customers,
    errors,
    health,
    inventory,
    ml,
    onboarding,
    procurement,
    procurement_page,
    rankings,
    scorecards,
    snapshot,
    supplier_review,
    suppliers,
)
from serving.api.deps import AppContext
from serving.auth import TokenVerifier
from serving.snapshot.store import SnapshotStore

DESCRIPTION = """
Procurement's read-only window onto GroupLake's governed marts: supplier scorecards (every
metric with its definition), rankings by category and business unit, the bottom-10 %
elimination list with its reasons, the supplier 360 (golden record, merged source records
and aliases, spend by business unit, quality and delivery history, prices against the
category median), customer RFM segments and LTV, inventory accuracy, sourcing savings and
framework-contract compliance, utilisation and expiry, and the models' fraud risk and supplier
recommendations.

**Data** comes from a *serving snapshot*: a read-only copy of the gold tables built after
each publication and swapped atomically, so a running pipeline never blocks or breaks a
read. Every response names its snapshot in `X-Serving-Snapshot`; `GET /api/v1/snapshot`
lists the gold version of each table.

**Authenticate** with the transactional API's token (`Authorization: Bearer …`; use
*Authorize*). Procurement, finance and admin read; procurement and finance see their
business unit (a token without a unit, and every admin, see the whole group); a supplier
reads only its own scorecard (`/api/v1/scorecards/me`). Suppliers outside your scope answer
**404** like unknown ones; a business unit outside your scope in a filter answers **403**
`out_of_scope`.

**Scorecards** carry `ETag` and `Cache-Control`; send `If-None-Match` to get `304`.
**Errors** always look like `{"error": {"code": "...", "message": "...", "details": ...}}`.
Lists are paged (`limit`, capped by the server, and `offset`).
"""

#: every data route's prefix (``/healthz`` and ``/readyz`` have none).
API_PREFIX = "/api/v1"

TAGS = [
    {"name": "scorecards", "description": "Current scorecards and their monthly history"},
    {"name": "rankings", "description": "Rankings and the elimination list"},
    {"name": "suppliers", "description": "Golden suppliers and the supplier 360"},
    {"name": "customers", "description": "RFM segments and lifetime value"},
    {"name": "inventory", "description": "Inventory accuracy per warehouse"},
    {"name": "onboarding", "description": "Supplier onboarding cycle time"},
    {"name": "models", "description": "Fraud risk and supplier recommendations"},
    {"name": "procurement", "description": "Sourcing savings, contract compliance and utilisation"},
    {"name": "snapshot", "description": "The served snapshot, metric definitions, column docs"},
    {"name": "health", "description": "Liveness and readiness"},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application.

    Args:
        settings: defaults to :func:`infra.settings.get_settings` (``SERVING__*``, ``AUTH__*``).

    Returns:
        The app; its snapshot is closed on shutdown.

    Example:
        ``uvicorn serving.main:create_app --factory --port 8001``
    """
    settings = settings or get_settings()
    settings.require_secrets()
    serving = settings.serving
    store = SnapshotStore(serving.snapshot_dir, poll_interval_s=serving.poll_interval_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.close()

    app = FastAPI(
        title="GroupLake serving API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served from packaged assets below (no CDN), when docs are on
        redoc_url=None,
        openapi_url="/openapi.json" if settings.api_docs_enabled else None,
    )
    if settings.api_docs_enabled:  # the local profile, or SERVICES__API_DOCS=true
        install_offline_docs(app)
    app.state.context = AppContext(settings=settings, store=store,
                                   tokens=TokenVerifier(settings, serving.token_cache_size))
    errors.install(app)
    # the current scorecard is the hot path: its routes sit on the app itself, first (routes
    # are matched in order); each router is included in the app directly, not nested (every
    # router level costs a match per request)
    scorecards.add_hot_routes(app, API_PREFIX)
    for router in (scorecards.router, rankings.router, suppliers.router, supplier_review.router,
                   customers.router,
                   inventory.router, procurement.router, onboarding.router, ml.router, snapshot.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(health.router)
    app.include_router(procurement_page.router)  # the procurement web page (HTML)
    return app
