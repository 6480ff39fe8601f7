"""Shared check: an app's ``/docs`` and ``/redoc`` pages load nothing from outside the app."""

from __future__ import annotations

import re

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|(?:url|js_url)\s*:\s*["']([^"']+)["']""")
MIN_BYTES = {".js": 500_000, ".css": 100_000, ".png": 1_000}


def assert_docs_are_served_locally(client) -> None:
    """Both pages answer, every script / style / icon they reference is on the app itself
    (a path, not a URL) and is served whole, and the OpenAPI document they load is there."""
    for page in ("/docs", "/redoc"):
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.text
        assert "cdn.jsdelivr.net" not in html and "fonts.googleapis" not in html, page
        referenced = {a or b for a, b in ASSET.findall(html)}
        assets = {r for r in referenced if r.endswith((".js", ".css", ".png"))}
        assert len(assets) >= (3 if page == "/docs" else 2), (page, referenced)
        for asset in assets:
            assert asset.startswith("/docs-assets/"), (page, asset)
            body = client.get(asset)
            assert body.status_code == 200, asset
            assert len(body.content) >= MIN_BYTES[asset[asset.rindex("."):]], asset
        spec = client.get("/openapi.json")
        assert spec.status_code == 200 and spec.json()["paths"], page
