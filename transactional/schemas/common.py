"""OpenAPI documentation of the transactional API's error answers (the body is the HTTP kit's,
``infra/http/errors.py``; pages and the strict request base are ``infra/http``'s too)."""

from __future__ import annotations

from typing import Any

from infra.http.errors import ErrorBody, error_docs

#: OpenAPI ``responses=`` entries documenting the error shape.
ERRORS: dict[int | str, dict[str, Any]] = error_docs({
    401: "Not authenticated", 403: "Role not allowed",
    404: "Not found, or outside your business unit / supplier",
    422: "Invalid request or business rule violated",
})

#: Documentation of a 409 (conflicting state) answer.
CONFLICT: dict[str, Any] = {"model": ErrorBody, "description": "Conflicts with the current state"}
#: Documentation of a 429 (rate limited) answer.
RATE_LIMITED: dict[str, Any] = {"model": ErrorBody, "description": "Too many requests"}
