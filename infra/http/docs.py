"""API docs that work without internet: Swagger UI and ReDoc served by the app itself.

FastAPI's default ``/docs`` and ``/redoc`` pages load their scripts from a public CDN, so on a
group network without internet access they stay blank. :func:`install_offline_docs` serves
the same pages from the assets packaged in ``fastapi-offline`` (pinned in ``pyproject.toml``;
Swagger UI bundle and CSS, ReDoc standalone, favicon), mounted under
:data:`STATIC_PATH`. Build the app with ``docs_url=None, redoc_url=None`` and call this.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: Where the packaged assets are served.
STATIC_PATH = "/docs-assets"


def _assets_dir() -> str:
    return str(files("fastapi_offline") / "static")


def install_offline_docs(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Serve Swagger UI at ``docs_url`` and ReDoc at ``redoc_url`` from local assets.

    Args:
        app: built with ``docs_url=None, redoc_url=None`` (so FastAPI's CDN pages are off).
        docs_url: the Swagger UI page.
        redoc_url: the ReDoc page.
    """
    app.mount(STATIC_PATH, StaticFiles(directory=_assets_dir()), name="docs-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_url}", title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=f"{root}{oauth2_redirect}",
            swagger_js_url=f"{root}{STATIC_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{STATIC_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{STATIC_PATH}/favicon.png",
            swagger_ui_parameters=app.swagger_ui_parameters,
        )

    @app.get(oauth2_redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{openapi_url}", title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{STATIC_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{STATIC_PATH}/favicon.png", with_google_fonts=False,
        )
