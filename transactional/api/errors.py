"""How the transactional API's errors become HTTP answers (the kit's one error body).

Domain errors map by family: not found 404, forbidden 403, unauthenticated 401, business
rule 422, conflict 409, rate limited 429, busy 503; validation errors, Starlette's HTTP
errors (404 route, 405, 413 body too large) and unexpected exceptions (500, logged, no
internals leaked) are the kit's (``infra/http/errors.py``).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from infra.http import errors as http_errors
from transactional.core import audit
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


def status_of(exc: DomainError) -> int:
    """HTTP status of a domain error."""
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def reply(exc: DomainError) -> tuple[int, dict[str, str] | None]:
    """Status and headers of a domain error (``WWW-Authenticate``, ``Retry-After``)."""
    status = status_of(exc)
    if status == 401:
        return status, {"WWW-Authenticate": "Bearer"}
    if isinstance(exc, RateLimitedError):
        return status, {"Retry-After": str(max(1, int(exc.retry_after + 0.999)))}
    if status == 503:
        return status, {"Retry-After": "1"}
    return status, None


async def _forbidden(request: Request, exc: Exception) -> JSONResponse:
    """A 403 answer, audited (``access.denied``) when the caller is known."""
    assert isinstance(exc, ForbiddenError)
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        try:
            await run_in_threadpool(
                audit.record_denial, request.app.state.context.db, principal, request.method,
                request.url.path, exc.code, exc.message, exc.details)
        except Exception:  # the refusal stands even when its audit row cannot be written
            log.exception("could not audit a denial on %s %s", request.method,
                          request.url.path)
    return http_errors.error_response(403, exc.code, exc.message, exc.details)


def install(app: FastAPI) -> None:
    """Register the error handlers on ``app`` (403s are audited)."""
    http_errors.install(app, DomainError, reply)
    app.add_exception_handler(ForbiddenError, _forbidden)
