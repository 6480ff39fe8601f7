"""The quarantine table: every row a source gave us that could not land, with its reason.

``bronze.quarantine`` (``<lake>/bronze/quarantine``) is shared by every source. A row keeps
its raw values as JSON, so nothing is ever lost; a quarantine commit is recorded under its
batch's transaction id, so a retried batch quarantines nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

import pyarrow as pa
from deltalake import CommitProperties, Transaction, write_deltalake

from lake.batch import transaction_app_id
from lake.records import records_json_many
from lake.storage import LakeStorage
from lake.tables import open_table
from lake.validate import ValidationResult

QUARANTINE_PATH = "bronze/quarantine"
QUARANTINE_SQL_NAME = "bronze.quarantine"
QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("quarantine_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("entity", pa.string(), nullable=False),
        pa.field("batch_id", pa.string(), nullable=False),
        pa.field("record_key", pa.string()),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("raw_record", pa.string(), nullable=False),
        pa.field("origin", pa.string()),  # file name, page cursor … where the row came from
        pa.field("quarantined_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)


def quarantine_rows(
    storage: LakeStorage,
    source: str,
    entity: str,
    batch_id: str,
    result: ValidationResult,
    origin: str | None = None,
    quarantined_at: dt.datetime | None = None,
) -> int:
    """Append the bad rows of ``result`` to ``bronze.quarantine``; return how many were written.

    A batch already quarantined (same ``batch_id``) writes nothing and returns 0.
    """
    return quarantine_batches(storage, source, entity, [(batch_id, result, origin)], quarantined_at)


def quarantine_batches(
    storage: LakeStorage,
    source: str,
    entity: str,
    batches: Sequence[tuple[str, ValidationResult, str | None]],
    quarantined_at: dt.datetime | None = None,
) -> int:
    """Quarantine the bad rows of several batches in one Delta commit.

    Each batch keeps its own transaction id (recorded together in the commit), so each is
    still quarantined exactly once however the batches are grouped on a retry; batches
    already quarantined are skipped. A group of dropped files with bad rows costs one
    commit, not one per file.

    Args:
        storage: the lake.
        source: source name.
        entity: entity name.
        batches: ``(batch_id, validation result, origin)`` per batch.
        quarantined_at: the time stamped on the rows (default now).

    Returns:
        How many rows were written.
    """
    pending = [(b, r, o) for b, r, o in batches if r.quarantined]
    if not pending:
        return 0
    existing = open_table(storage, QUARANTINE_PATH)
    if existing is not None:
        pending = [
            (b, r, o) for b, r, o in pending
            if existing.transaction_version(transaction_app_id(b, "quarantine")) is None
        ]
    if not pending:
        return 0
    at = quarantined_at or dt.datetime.now(dt.UTC)
    ids: list[str] = []
    columns: dict[str, list] = {name: [] for name in ("batch_id", "record_key", "reason", "raw_record", "origin")}
    arrow = [r.bad_table for _, r, _ in pending if r.bad_table is not None]
    arrow_json = iter(records_json_many(arrow))
    for batch_id, result, origin in pending:
        raws = next(arrow_json) if result.bad_table is not None else result.raw_records_json()
        ids += [
            hashlib.sha256(f"{batch_id}\x1f{i}\x1f{raw}".encode()).hexdigest()[:24]
            for i, raw in enumerate(raws)
        ]
        columns["batch_id"] += [batch_id] * len(raws)
        columns["record_key"] += list(result.bad_keys)
        columns["reason"] += list(result.bad_reasons)
        columns["raw_record"] += raws
        columns["origin"] += [origin] * len(raws)
    n = len(ids)
    table = pa.Table.from_arrays(
        [
            pa.array(ids),
            pa.array([source] * n),
            pa.array([entity] * n),
            pa.array(columns["batch_id"], pa.string()),
            pa.array(columns["record_key"], pa.string()),
            pa.array(columns["reason"], pa.string()),
            pa.array(columns["raw_record"], pa.string()),
            pa.array(columns["origin"], pa.string()),
            pa.array([at] * n, pa.timestamp("us", tz="UTC")),
        ],
        schema=QUARANTINE_SCHEMA,
    )
    write_deltalake(
        existing if existing is not None else storage.uri(QUARANTINE_PATH),
        table,
        mode="append",
        storage_options=None if existing is not None else storage.delta_options(),
        commit_properties=CommitProperties(
            app_transactions=[Transaction(transaction_app_id(b, "quarantine"), 1) for b, _, _ in pending]
        ),
    )
    return n
