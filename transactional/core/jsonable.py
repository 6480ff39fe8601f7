"""JSON-ready values: what event payloads, stored idempotent responses and snapshots hold.

Decimals become exact strings (never binary floats), datetimes ISO-8601 with UTC as ``Z``,
dates ISO-8601, enums their values, recursively through mappings, lists and tuples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any


def jsonable(value: Any) -> Any:
    """Turn Decimals into exact strings, datetimes into ISO-8601 (UTC as ``Z``), enums into
    values, recursively.

    Example:
        >>> jsonable({"amount": Decimal("1.50"), "at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC)})
        {'amount': '1.50', 'at': '2026-01-02T00:00:00Z'}
    """
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
