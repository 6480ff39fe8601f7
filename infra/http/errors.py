"""One error body for every 4xx and 5xx of both APIs: ``{"error": {"code", "message", "details"}}``.

Each API maps its own error family to a status (:func:`install`'s ``reply``); FastAPI's
validation errors (422 ``invalid_request``), Starlette's HTTP errors (unknown route 404,
405, 413 …) and unexpected exceptions (500, logged, no internals leaked) are reshaped the
same way, so a client handles errors of both APIs with one parser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

#: Machine codes of Starlette's own HTTP errors.
HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 406: "not_acceptable", 413: "request_too_large",
              415: "unsupported_media_type"}


class CodedError(Protocol):
    """What an API's own errors carry: a stable ``code``, a ``message``, optional ``details``."""

    code: str
    message: str
    details: Any


E = TypeVar("E", bound=Exception)
#: ``reply(error) -> (HTTP status, extra headers or None)``.
Reply = Callable[[E], tuple[int, "dict[str, str] | None"]]


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine code, a message for people, optional details."""

    code: str = Field(examples=["not_found"])
    message: str = Field(examples=["order 42 not found"])
    details: Any = None


class ErrorBody(BaseModel):
    """The single error shape of the API (every 4xx and 5xx)."""

    error: ErrorDetail


def error_docs(descriptions: Mapping[int, str]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting the error body for each status.

    Example:
        >>> error_docs({404: "Not found"})[404]["description"]
        'Not found'
    """
    return {status: {"model": ErrorBody, "description": text}
            for status, text in descriptions.items()}


def error_response(status: int, code: str, message: str, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """Build the one error shape."""
    body = {"error": {"code": code, "message": message, "details": jsonable_encoder(details)}}
    return JSONResponse(body, status_code=status, headers=headers)


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


def install(app: FastAPI, error_type: type[E], reply: Reply[E]) -> None:
    """Register the handlers on ``app``: the API's own errors and everything else.

    Args:
        error_type: the base class of the API's errors (each has ``code``, ``message``,
            ``details``).
        reply: the status and extra headers of one such error.

    Example:
        >>> install(app, ServingError, lambda e: (e.status, None))  # doctest: +SKIP
    """
    async def _own(_request: Request, exc: Exception) -> JSONResponse:
        coded: Any = exc
        status, headers = reply(exc)  # type: ignore[arg-type]
        return error_response(status, coded.code, coded.message, coded.details, headers)

    app.add_exception_handler(error_type, _own)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
