"""The quarantine table: every row a source gave us that could not land, with its reason.

``bronze.quarantine`` (``<lake>/bronze/quarantine``) is shared by every source. A row keeps
its raw values as JSON, so nothing is ever lost; a quarantine commit is recorded under its
batch's transaction id, so a retried batch quarantines nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pyarrow as pa
from deltalake import CommitProperties, Transaction, write_deltalake

from pipelines.lake.batch import transaction_app_id
from pipelines.lake.storage import LakeStorage
from pipelines.lake.tables import open_table
from pipelines.lake.validate import ValidationResult, raw_record_json

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
    if not result.bad_rows:
        return 0
    app_id = transaction_app_id(batch_id, "quarantine")
    existing = open_table(storage, QUARANTINE_PATH)
    if existing is not None and existing.transaction_version(app_id) is not None:
        return 0
    at = quarantined_at or dt.datetime.now(dt.UTC)
    raws = [raw_record_json(r) for r in result.bad_rows]
    ids = [
        hashlib.sha256(f"{batch_id}\x1f{i}\x1f{raw}".encode()).hexdigest()[:24]
        for i, raw in enumerate(raws)
    ]
    n = len(raws)
    table = pa.Table.from_arrays(
        [
            pa.array(ids),
            pa.array([source] * n),
            pa.array([entity] * n),
            pa.array([batch_id] * n),
            pa.array(result.bad_keys, pa.string()),
            pa.array(result.bad_reasons),
            pa.array(raws),
            pa.array([origin] * n, pa.string()),
            pa.array([at] * n, pa.timestamp("us", tz="UTC")),
        ],
        schema=QUARANTINE_SCHEMA,
    )
    write_deltalake(
        existing if existing is not None else storage.uri(QUARANTINE_PATH),
        table,
        mode="append",
        storage_options=None if existing is not None else storage.delta_options(),
        commit_properties=CommitProperties(app_transactions=[Transaction(app_id, 1)]),
    )
    return n
