"""Business events: every state change emits one, in the transaction that makes it.

:func:`emit` builds the event's envelope (id, type, aggregate, scope, JSON payload, time,
schema version) and queues it on the session (:mod:`transactional.db.outbox`), which
inserts it into ``outbox_events`` at commit: an event exists if and only if its change
committed. The lake ingests the outbox; ``event_id`` is the idempotency key downstream.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from transactional.core.jsonable import jsonable
from transactional.db import outbox

#: Version of the event envelope / payload conventions.
SCHEMA_VERSION = 1


def emit(
    session: Session,
    event_type: str,
    aggregate_type: str,
    aggregate_id: str | int,
    payload: Mapping[str, Any],
    *,
    business_unit: str | None = None,
    supplier_id: str | None = None,
    json_ready: bool = False,
) -> str:
    """Queue a business event for the current transaction.

    Args:
        session: the session of the transaction that makes the change.
        event_type: ``<aggregate>.<past-tense verb>``, e.g. ``"order.placed"``.
        aggregate_type: e.g. ``"order"``; ``aggregate_id`` its id.
        payload: JSON-ready facts (Decimals and datetimes are converted).
        business_unit: unit the event belongs to, if any (lets readers partition).
        supplier_id: supplier the event concerns, if any.
        json_ready: the payload holds only JSON types already (skips conversion).

    Returns:
        The event's UUID.

    Example:
        >>> emit(session, "offer.changed", "offer", 7, {"version": 2})  # doctest: +SKIP
    """
    event_id = str(uuid.uuid4())
    outbox.queue(session, {
        "event_id": event_id,
        "event_type": event_type,
        "aggregate_type": aggregate_type,
        "aggregate_id": str(aggregate_id),
        "business_unit": business_unit,
        "supplier_id": supplier_id,
        "payload": payload if json_ready else jsonable(payload),
        "occurred_at": dt.datetime.now(dt.UTC),
        "schema_version": SCHEMA_VERSION,
    })
    return event_id
