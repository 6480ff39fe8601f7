"""How the serving API's errors become HTTP answers: the HTTP kit's one error body
(``infra/http/errors.py``), shared with the transactional API.

Serving errors carry their own status (401, 403, 404, 422, 503); a 401 asks for a Bearer
token, a 503 (no snapshot yet) says when to retry.
"""

from __future__ import annotations

from fastapi import FastAPI

from infra.http import errors as http_errors
from serving.errors import ServingError


def reply(exc: ServingError) -> tuple[int, dict[str, str] | None]:
    """Status and headers of a serving error."""
    if exc.status == 401:
        return exc.status, {"WWW-Authenticate": "Bearer"}
    if exc.status == 503:
        return exc.status, {"Retry-After": "5"}
    return exc.status, None


def install(app: FastAPI) -> None:
    """Register the error handlers on ``app``."""
    http_errors.install(app, ServingError, reply)
