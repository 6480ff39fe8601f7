"""Typed errors of the serving layer (no FastAPI): each maps to one HTTP status.

The HTTP layer (:mod:`serving.api.errors`) renders them in the transactional API's one
error body, ``{"error": {"code", "message", "details"}}``, so clients of both APIs handle
errors the same way.
"""

from __future__ import annotations

from typing import Any


class ServingError(Exception):
    """Base: a machine-readable ``code``, a human ``message``, optional ``details``, a status."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class UnauthenticatedError(ServingError):
    """No valid credentials (missing, malformed, badly signed or expired token)."""

    code = "unauthenticated"
    status = 401


class ForbiddenError(ServingError):
    """The caller's role may never use this route."""

    code = "forbidden"
    status = 403


class OutOfScopeError(ForbiddenError):
    """The request names a business unit (or scope) outside the caller's."""

    code = "out_of_scope"


class NotFoundError(ServingError):
    """The object does not exist *or is outside the caller's scope* (never distinguished)."""

    code = "not_found"
    status = 404


class InvalidRequestError(ServingError):
    """A well-formed request with values that make no sense (e.g. a month range backwards)."""

    code = "invalid_request"
    status = 422


class NotReadyError(ServingError):
    """No snapshot has been published yet."""

    code = "not_ready"
    status = 503


class MartUnavailableError(ServingError):
    """The snapshot does not hold a gold table this route reads (its mart is not published)."""

    code = "mart_unavailable"
    status = 503
