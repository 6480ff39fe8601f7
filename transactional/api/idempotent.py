"""Optional ``Idempotency-Key`` for mutating routes other than order placement.

Order placement requires a key and handles it inside its own transaction
(``services/orders.py``). Other mutations whose retry would repeat an effect — status
changes, stock adjustments — accept an optional key with the same semantics: same key and
body → the original response; different body → 422; key in use by a running request → 409.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy.orm import Session

from transactional.api.deps import AppContext
from transactional.domain.principal import Principal
from transactional.services import idempotency
from transactional.services.outbox import jsonable

OptionalIdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", min_length=1, max_length=255,
    description="Optional: a retry with the same key and body returns the original response "
                "instead of repeating the change.",
)]


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
    def run(session: Session) -> dict[str, Any]:
        if key is None:
            return jsonable(action(session)[0])
        ttl = dt.timedelta(hours=context.settings.oltp.idempotency_ttl_hours)
        response, _ = idempotency.run_idempotent(
            session, user.user_id, key, idempotency.fingerprint(method, path, body), ttl,
            resource_type, lambda: _ready(action(session)))
        return response.body

    return context.db.run_write(run)


def _ready(result: tuple[dict[str, Any], str]) -> tuple[dict[str, Any], str]:
    return jsonable(result[0]), result[1]
