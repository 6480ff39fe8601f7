"""One error body for everything: ``{"error": {"code", "message", "details"}}``.

Domain errors map by family (not found 404, forbidden 403, unauthenticated 401, business
rule 422, conflict 409, rate limited 429, busy 503); FastAPI's validation errors, Starlette's
HTTP errors (404 route, 405, 413 body too large) and unexpected exceptions (500, logged, no
internals leaked) are reshaped the same way.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from transactional.db.database import ServiceBusyError
from transactional.domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    NotFoundError,
    UnauthenticatedError,
    ValidationFailedError,
)

log = logging.getLogger(__name__)


class RateLimitedError(DomainError):
    """Too many requests from one user in the current minute."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, details={"retry_after_seconds": round(retry_after, 2)})
        self.retry_after = retry_after


STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (NotFoundError, 404),
    (ForbiddenError, 403),
    (UnauthenticatedError, 401),
    (ValidationFailedError, 422),
    (ConflictError, 409),
    (RateLimitedError, 429),
    (ServiceBusyError, 503),
)

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "request_too_large", 415: "unsupported_media_type"}


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """Build the one error shape."""
    body = {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}
    return JSONResponse(body, status_code=status, headers=headers)


def status_of(exc: DomainError) -> int:
    """HTTP status of a domain error."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
    status = status_of(exc)
    headers = None
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif isinstance(exc, RateLimitedError):
        headers = {"Retry-After": str(max(1, int(exc.retry_after + 0.999)))}
    elif status == 503:
        headers = {"Retry-After": "1"}
    return error_response(status, exc.code, exc.message, exc.details, headers)


async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")}
        for e in exc.errors()
    ]
    return error_response(422, "invalid_request", "the request is not valid", errors)


async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail), None,
                          getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "an unexpected error occurred")


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(DomainError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
