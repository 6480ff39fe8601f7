"""Deterministic batch identity.

A batch is named by what it covers, never by when it ran: the source, the entity and the
watermark range (or file content hash) it was extracted from. A retried batch therefore
carries the same id, and the Delta transaction recorded under that id makes the retry a
no-op.
"""

from __future__ import annotations

import hashlib
import json


def make_batch_id(source: str, entity: str, low: object, high: object) -> str:
    """Return the batch id for ``source.entity`` over the range (``low``, ``high``].

    Args:
        source: source system name.
        entity: entity name.
        low: the watermark the extraction started after (``None`` on the first run), or any
            JSON-serialisable description of the input (a file's content hash …).
        high: the watermark of the last row in the batch.

    Returns:
        ``<source>.<entity>.<16 hex chars>``, stable across processes and machines.

    Example:
        >>> make_batch_id("erp", "vendors", None, ["2026-01-01T00:00:00", "V1"])
        'erp.vendors.4b7f4a6ed2c3b4a1'
    """
    payload = json.dumps([source, entity, low, high], sort_keys=True, default=str)
    digest = hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    return f"{source}.{entity}.{digest}"


def transaction_app_id(batch_id: str, part: str = "data") -> str:
    """Delta transaction app id under which a batch's commit is recorded."""
    return f"grouplake:{batch_id}:{part}"
