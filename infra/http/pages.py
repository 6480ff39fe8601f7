"""Paged lists: what a client asks for (:class:`PageRequest`) and what it gets (:class:`Page`).

Every list route of both APIs answers ``{"items", "total", "limit", "offset"}``; ``limit`` is
the effective page size, capped by the server. Use-case code returns an untyped ``Page``;
a route declares ``Page[ItemPublic]`` as its response model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

#: The deepest offset a client may ask for (deeper pages: narrow the filter instead).
MAX_OFFSET = 10_000_000
#: ``offset`` as a request parameter.
Offset = Annotated[int, Field(ge=0, le=MAX_OFFSET)]


@dataclass(frozen=True)
class PageRequest:
    """``limit`` items starting at ``offset`` (``limit`` already capped by the server)."""

    limit: int = 50
    offset: int = 0

    @classmethod
    def capped(cls, limit: int | None, offset: int, *, default: int,
               maximum: int) -> PageRequest:
        """The page a client asked for, ``limit`` defaulted and capped by the server.

        Example:
            >>> PageRequest.capped(10_000, 0, default=50, maximum=200)
            PageRequest(limit=200, offset=0)
        """
        return cls(min(limit or default, maximum), offset)


class Page(BaseModel, Generic[T]):
    """One page of a list; ``limit`` is the effective (capped) page size."""

    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(cls, items: Sequence[Any], total: int, request: PageRequest) -> Page[Any]:
        """The page of ``items`` answering ``request``, out of ``total`` matches.

        Example:
            >>> Page.of([{"id": 1}], 7, PageRequest(1, 0)).total
            7
        """
        return cls(items=list(items), total=int(total), limit=request.limit,
                   offset=request.offset)
