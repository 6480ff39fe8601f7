"""The transactional API's one entry point: ``create_app`` (``uvicorn … --factory``).

Building the app reads settings and creates the engine (no connection yet); it never runs
migrations: ``grouplake setup`` / ``grouplake tx migrate`` / ``grouplake tx serve`` do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import APIRouter, FastAPI

from infra.http.docs import install_offline_docs
from infra.http.headers import SecurityHeaders
from infra.settings import Settings, get_settings
from transactional.api import (
    account,
    auth,
    benefits,
    catalogue,
    contracts,
    decisions,
    directory,
    errors,
    fx,
    health,
    inventory,
    offers,
    onboarding,
    orders,
    payments,
    planning,
    promotions,
    ratings,
    recommendations,
    risk,
    settlement,
    standing,
    tendering,
    users,
    warehouses,
)
from transactional.api.deps import AppContext
from transactional.api.limits import BodySizeLimit
from transactional.api.ratelimit import GcraLimiter
from transactional.core.policy import CommercePolicy
from transactional.db.database import Database
from transactional.identity.lockout import LoginGuard
from transactional.identity.sessions import UserCache

DESCRIPTION = """
GroupLake's thin trading layer: identity, the catalogue (categories with attribute templates,
SKUs, supplier offers with price tiers), warehouse stock, and orders that never oversell.

**Authenticate** with `POST /api/v1/auth/token` (OAuth2 password flow; use *Authorize*) or an
`X-API-Key`. Every route checks your role and business unit; ids outside your scope answer
**404**, exactly like ids that do not exist; a role that may never use a route gets **403**.

**Commerce**: promotions (满减 full reductions, percentage discounts) apply at placement
and are recorded per line; dealers earn tiered rebates (阶梯返利) at delivery; orders above
their unit's approval limit wait for procurement; payment intents are paid through the
provider's signed, idempotent callback; refunds, supplier statements in the supplier's
settlement currency (dated FX), a double-entry ledger, payables exported to the ERP;
supplier onboarding with documents and a four-eyes review.

**Errors** always look like `{"error": {"code": "...", "message": "...", "details": ...}}`.
Lists are paged (`limit`, capped by the server, and `offset`).
"""

TAGS = [
    {"name": "auth", "description": "Tokens and identity"},
    {"name": "orders", "description": "Place, read and progress orders (approve, pay, ship …)"},
    {"name": "payments", "description": "Payment intents, the provider callback, refunds"},
    {"name": "promotions", "description": "Full reductions, percentages, tiered dealer rebates"},
    {"name": "rebates", "description": "Dealer accounts, rebate balances and settlement"},
    {"name": "settlement", "description": "Supplier statements and payables"},
    {"name": "approvals", "description": "Approval limits per business unit"},
    {"name": "fx", "description": "Dated FX rates"},
    {"name": "onboarding", "description": "Supplier applications, documents and review"},
    {"name": "offers", "description": "Supplier offers: tiers, MOQ, multiples, lead time"},
    {"name": "catalogue", "description": "Categories with attribute templates, and SKUs"},
    {"name": "stock", "description": "Warehouses, stock levels and adjustments"},
    {"name": "suppliers", "description": "Suppliers"},
    {"name": "business units", "description": "Business units"},
    {"name": "users", "description": "Accounts and API keys (admins)"},
    {"name": "recommendations", "description": "What to order next, what goes with it, which supplier"},
    {"name": "decisions", "description": "Lake decision snapshots in force (the inbound door) and their age"},
    {"name": "health", "description": "Liveness and readiness"},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the FastAPI application.

    Args:
        settings: defaults to :func:`infra.settings.get_settings` (``OLTP__*``, ``AUTH__*``).

    Returns:
        The app; its database engine is disposed on shutdown. Every answer carries the
        security headers (``infra/http/headers.py``); the docs and the OpenAPI document are
        served only where ``settings.api_docs_enabled``.

    Example:
        ``uvicorn transactional.main:create_app --factory --port 8000``
    """
    settings = settings or get_settings()
    settings.require_secrets(payments=True)
    db = Database.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Route handlers run in anyio's thread pool; more threads than database connections
        # only queue on the pool while contending for the GIL, so match the two.
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = settings.oltp.pool_size + settings.oltp.max_overflow
        yield
        db.dispose()

    docs = settings.api_docs_enabled
    app = FastAPI(
        title="GroupLake transactional API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        docs_url=None,  # served from packaged assets below (no CDN), when docs are on
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    if docs:
        install_offline_docs(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.oltp.max_request_bytes,
                       upload_suffix="/documents",
                       upload_max_bytes=settings.oltp.document_max_bytes + 65_536)
    # outermost: even a refused body (413) carries the headers
    app.add_middleware(SecurityHeaders, docs_paths=("/docs", "/redoc"),
                       hsts_max_age_s=settings.services.hsts_max_age_s
                       if settings.services.tls else 0)
    app.state.context = AppContext(
        settings=settings,
        db=db,
        login_guard=LoginGuard(free_failures=settings.oltp.login_free_failures,
                               base_s=settings.oltp.login_backoff_base_s,
                               max_s=settings.oltp.login_backoff_max_s,
                               ip_per_minute=settings.oltp.login_ip_rate_per_minute),
        order_limiter=GcraLimiter(settings.oltp.order_rate_per_minute),
        policy=CommercePolicy.from_settings(settings),
        users=UserCache(settings.auth.user_cache_ttl_s, settings.auth.user_cache_size),
    )
    errors.install(app)
    api = APIRouter(prefix="/api/v1")
    # orders first: routes are matched in order (FastAPI walks every included router before
    # the one that matches: ~1 ms per request for a router registered last, on a loaded
    # 2-core machine), and order placement is the hot path; the recommendation reads, read
    # on every buyer page (p99 target 20 ms, issue #15), right behind them
    for router in (orders.router, recommendations.router, payments.orders, payments.provider, offers.router,
                   catalogue.skus, catalogue.categories, warehouses.router, auth.router,
                   users.router, directory.business_units, directory.suppliers,
                   promotions.router, fx.rates, fx.limits, settlement.statements_router,
                   settlement.dealers_router, onboarding.router, decisions.router, standing.router,
                   inventory.router, risk.router, contracts.router, ratings.orders,
                   ratings.suppliers, account.router):
        api.include_router(router)
    for router in benefits.ROUTERS:
        api.include_router(router)
    api.include_router(tendering.router)
    api.include_router(planning.router)
    app.include_router(api)
    app.include_router(health.router)
    return app
