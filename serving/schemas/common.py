"""Shapes shared by every resource: the one error body and pages."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine code, a message for people, optional details."""

    code: str = Field(examples=["out_of_scope"])
    message: str = Field(examples=["business unit 'POWER' is outside your scope (COAL)"])
    details: Any = None


class ErrorBody(BaseModel):
    """The single error shape of the API (every 4xx and 5xx), the transactional API's."""

    error: ErrorDetail


class Page(BaseModel, Generic[T]):
    """One page of a list; ``limit`` is the effective (capped) page size."""

    items: list[T]
    total: int
    limit: int
    offset: int


#: OpenAPI ``responses=`` entries documenting the error shape.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "Not authenticated"),
        (403, "Role not allowed, or a business unit outside your scope (`out_of_scope`)"),
        (404, "Not found, or outside your business unit / supplier"),
        (422, "Invalid request"),
        (503, "No snapshot yet, or the mart this route reads is not published (`mart_unavailable`)"),
    )
}
