"""Shapes shared by every resource: the one error body, pages, the strict request base."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine code, a message for people, optional details."""

    code: str = Field(examples=["out_of_stock"])
    message: str = Field(examples=["insufficient stock: SKU 12: requested 5, available 2"])
    details: Any = None


class ErrorBody(BaseModel):
    """The single error shape of the API (every 4xx and 5xx)."""

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
        (401, "Not authenticated"), (403, "Role not allowed"),
        (404, "Not found, or outside your business unit / supplier"),
        (422, "Invalid request or business rule violated"),
    )
}

#: Documentation of a 409 (conflicting state) answer.
CONFLICT: dict[str, Any] = {"model": ErrorBody, "description": "Conflicts with the current state"}
#: Documentation of a 429 (rate limited) answer.
RATE_LIMITED: dict[str, Any] = {"model": ErrorBody, "description": "Too many requests"}
