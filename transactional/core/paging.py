"""One page of a SQL query: its rows and the count of all its matches.

Every list use case returns an ``infra.http.pages.Page`` of at most ``limit`` items (the
limit capped by the API from ``oltp.max_page_size``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from infra.http.pages import PageRequest


def fetch_page(session: Session, query: Select[Any], page: PageRequest) -> tuple[list[Any], int]:
    """Run ``query`` for one page (rows) and count all its matches."""
    total = session.execute(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = session.execute(query.limit(page.limit).offset(page.offset)).all()
    return rows, int(total.scalar_one())
