"""Paged results: every list endpoint returns at most ``limit`` items (capped by settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """``limit`` items starting at ``offset`` (``limit`` already capped by the caller)."""

    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of results and the total number of matches."""

    items: list[T]
    total: int
    limit: int
    offset: int


def fetch_page(session: Session, query: Select[Any], page: PageRequest) -> tuple[list[Any], int]:
    """Run ``query`` for one page (rows) and count all its matches."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(page.limit).offset(page.offset)).all()
    return rows, int(total.scalar_one())
