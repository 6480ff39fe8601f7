"""OpenAPI documentation of the serving API's error answers (the body, ``ErrorBody``, and
``Page`` are the HTTP kit's, ``infra/http/``, shared with the transactional API)."""

from __future__ import annotations

from typing import Any

from infra.http.errors import error_docs

#: OpenAPI ``responses=`` entries documenting the error shape.
ERRORS: dict[int | str, dict[str, Any]] = error_docs({
    401: "Not authenticated",
    403: "Role not allowed, or a business unit outside your scope (`out_of_scope`)",
    404: "Not found, or outside your business unit / supplier",
    422: "Invalid request",
    503: "No snapshot yet, or the mart this route reads is not published (`mart_unavailable`)",
})
