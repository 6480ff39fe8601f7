"""Checks every request passes at the edge, before any use case runs.

:data:`Id` — a database id in a path, query or body: 1 … 2^63 − 1 (a PostgreSQL ``bigint``).
Anything else is a 422 ``invalid_request`` naming the parameter, never a driver overflow
(500) deep in a query. :class:`RequestModel` — the base of request bodies: unknown fields
are refused (no mass assignment), strings stripped.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

#: The largest id a ``bigint`` column holds.
MAX_ID = 2**63 - 1
#: A database id, range-checked: ``order_id: Id`` in a route, ``offer_id: Id`` in a body.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class RequestModel(BaseModel):
    """Base of every request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
