"""Security headers on every answer, as a pure ASGI middleware (both APIs may mount it).

* ``X-Content-Type-Options: nosniff`` everywhere.
* ``Content-Security-Policy``: API answers ``default-src 'none'; frame-ancestors 'none'``;
  the interactive docs (``docs_paths``, Swagger UI / ReDoc served from the app's own assets) only
  ``frame-ancestors 'none'`` (no framing, clickjacking) with ``object-src 'none'`` and
  ``base-uri 'self'``. ``X-Frame-Options: DENY`` for older browsers.
* ``Cache-Control: no-store`` on JSON answers to authenticated requests (``Authorization``
  or ``X-API-Key``) unless the route set its own caching.
* ``Strict-Transport-Security`` when the service is served over TLS (``hsts_max_age_s`` > 0).
* ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = b"default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = b"frame-ancestors 'none'; object-src 'none'; base-uri 'self'"
_CREDENTIALS = (b"authorization", b"x-api-key")


class SecurityHeaders:
    """Add the security headers above to every HTTP answer."""

    def __init__(self, app: ASGIApp, *, docs_paths: Iterable[str] = ("/docs", "/redoc"),
                 hsts_max_age_s: int = 0) -> None:
        self.app = app
        self.docs_paths = tuple(p for p in docs_paths if p)
        self.hsts = (f"max-age={hsts_max_age_s}; includeSubDomains".encode()
                     if hsts_max_age_s > 0 else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        docs = any(path == p or path.startswith(p + "/") for p in self.docs_paths)
        authenticated = any(name in _CREDENTIALS for name, _ in scope.get("headers", ()))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"),
                         (b"x-frame-options", b"DENY"),
                         (b"referrer-policy", b"no-referrer"),
                         (b"content-security-policy", DOCS_CSP if docs else API_CSP)]
                if self.hsts:
                    extra.append((b"strict-transport-security", self.hsts))
                content_type = next((v for n, v in headers if n.lower() == b"content-type"),
                                    b"")
                if authenticated and content_type.startswith(b"application/json") \
                        and b"cache-control" not in present:
                    extra.append((b"cache-control", b"no-store"))
                headers.extend(h for h in extra if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
