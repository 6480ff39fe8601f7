"""Helpers every router uses: lease a snapshot for one request, and page bodies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Query, Response

from infra.http.pages import Page
from serving.api.deps import AppContext
from serving.errors import InvalidRequestError, MartUnavailableError
from serving.snapshot.store import Snapshot

#: the response header naming the snapshot a response was read from.
SNAPSHOT_HEADER = "X-Serving-Snapshot"


@contextmanager
def reading(context: AppContext, response: Response, *tables: str) -> Iterator[Snapshot]:
    """Lease the current snapshot for one request and name it in ``response``'s headers.

    Args:
        context: the app context.
        response: the response whose headers get ``X-Serving-Snapshot``.
        tables: tables the route reads (``gold.customer_rfm``); a missing one is a 503
            ``mart_unavailable`` naming it.

    Raises:
        NotReadyError: no snapshot yet.
        MartUnavailableError: a table the route needs is not in the snapshot.
    """
    with context.store.lease() as snapshot:
        missing = [t for t in tables if not snapshot.has(t)]
        if missing:
            raise MartUnavailableError(
                f"not in the serving snapshot: {', '.join(missing)} (its mart is not published "
                "yet)", details={"missing": missing, "snapshot_id": snapshot.snapshot_id})
        response.headers[SNAPSHOT_HEADER] = snapshot.snapshot_id
        yield snapshot


def page_body(page: Page, **extra: Any) -> dict[str, Any]:
    """The JSON body of a page (``items``, ``total``, ``limit``, ``offset``)."""
    return {"items": page.items, "total": page.total, "limit": page.limit,
            "offset": page.offset, **extra}


def month_of(text: str | None) -> dt.date | None:
    """``2026-10`` or ``2026-10-17`` → the first day of that month (``None`` stays ``None``).

    Raises:
        InvalidRequestError: not a month.
    """
    if text is None:
        return None
    try:
        year, month = (int(part) for part in text.split("-")[:2])
        return dt.date(year, month, 1)
    except ValueError as exc:
        raise InvalidRequestError(f"not a month: {text!r} (expected YYYY-MM)") from exc


def month_range(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    """A validated ``from_month`` / ``to_month`` pair.

    Raises:
        InvalidRequestError: a bad month, or the range runs backwards.
    """
    first, last = month_of(start), month_of(end)
    if first is not None and last is not None and first > last:
        raise InvalidRequestError(f"from_month {start} is after to_month {end}")
    return first, last


MonthQuery = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}(-\d{2})?$",
                                         description="A month, YYYY-MM", examples=["2026-10"])]
