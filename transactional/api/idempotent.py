"""``Idempotency-Key`` at the HTTP edge: the header, and the one way a route builds its key.

:func:`idempotent_request` turns the header, the method, the path and the validated body
into a :class:`~transactional.core.idempotency.IdempotentRequest` with the configured TTL
(``oltp.idempotency_ttl_hours``). Order placement requires a key (``api/orders.py``); other
mutations whose retry would repeat an effect — status changes, refunds, stock adjustments,
statement runs — accept an optional one through :func:`write_once`. Both run through
``core/idempotency.run_once``: same key and body → the original response; different body →
422; key in use by a running request → 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy.orm import Session

from transactional.api.deps import AppContext
from transactional.core.idempotency import MAX_KEY_LENGTH, IdempotentRequest, run_once
from transactional.core.jsonable import jsonable
from transactional.domain.principal import Principal

OptionalIdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH,
    description="Optional: a retry with the same key and body returns the original response "
                "instead of repeating the change.",
)]


def idempotent_request(context: AppContext, key: str, method: str, path: str,
                       body: Any) -> IdempotentRequest:
    """The key of one request, hashed over method, path and JSON body, with the app's TTL."""
    ttl = dt.timedelta(hours=context.settings.oltp.idempotency_ttl_hours)
    return IdempotentRequest.of(key, method, path, body, ttl)


def write_once(
    context: AppContext, user: Principal, key: str | None, method: str, path: str,
    body: Any, resource_type: str, action: Callable[[Session], tuple[dict[str, Any], str]],
) -> dict[str, Any]:
    """Run ``action`` in a write transaction, at most once per ``key`` when one is given.

    Args:
        action: performs the change; returns ``(response body, resource id)``.

    Returns:
        The JSON-ready response body (the stored one on a replay).
    """
    request = None if key is None else idempotent_request(context, key, method, path, body)

    def run(session: Session) -> dict[str, Any]:
        def change() -> tuple[dict[str, Any], str]:
            result, resource_id = action(session)
            return jsonable(result), resource_id

        return run_once(session, user.user_id, request, resource_type, change).body

    return context.db.run_write(run)
