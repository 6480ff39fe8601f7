"""Request size limit as a pure ASGI middleware, answering in the API's one error shape.

A declared ``Content-Length`` above the limit is refused before any byte is read; a
streamed (chunked) body is counted as it arrives and refused once it passes the limit.
Document uploads (paths ending in ``upload_suffix``) get their own, larger limit.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLargeError(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (→ 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body exceeds {limit} bytes")


class BodySizeLimit:
    """Refuse request bodies larger than ``max_bytes`` with 413 ``request_too_large``."""

    def __init__(self, app: ASGIApp, max_bytes: int, upload_suffix: str | None = None,
                 upload_max_bytes: int = 0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_suffix = upload_suffix
        self.upload_max_bytes = upload_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        if self.upload_suffix and scope.get("path", "").endswith(self.upload_suffix):
            limit = max(limit, self.upload_max_bytes)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._refuse(send, limit)
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError(limit)
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, send: Send, limit: int) -> None:
        body = json.dumps({"error": {
            "code": "request_too_large",
            "message": f"request body exceeds {limit} bytes", "details": None,
        }}).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})
