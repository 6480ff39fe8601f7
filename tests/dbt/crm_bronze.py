"""Land the demo CRM's tables in bronze for the dbt tests, when the CRM connector is absent.

The CRM connector (``pipelines.sources.crm``, REST + paging) is built in parallel with the
governed models; until it is importable, the dbt tests still need ``bronze/crm/*``. This
helper lands the demo group's ``crm.db`` through the lake's own validate-quarantine-merge
path (:func:`pipelines.ingest.land_batch`) with the CRM's declared columns, so the
staging models see exactly the shapes a connector produces (ISO-8601 text timestamps cast
to UTC). Once the connector exists, the fixtures ingest with it instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa

from pipelines.ingest import RawBatch, land_batch
from pipelines.lake.spec import EntitySpec
from pipelines.lake.storage import LakeStorage

_TS = pa.timestamp("us", tz="UTC")
_S = pa.string()

#: The CRM's columns as the demo serves them (see pipelines/demo/crm_data.py).
CRM_COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "customers": [
        ("customer_id", _S), ("name", _S), ("customer_type", _S), ("business_unit_code", _S),
        ("region", _S), ("province", _S), ("city", _S), ("country", _S), ("tier", _S),
        ("credit_limit", pa.float64()), ("currency", _S), ("subsidiary_id", _S),
        ("owner_user_id", _S), ("status", _S), ("created_at", _TS), ("updated_at", _TS),
    ],
    "contacts": [
        ("contact_id", _S), ("customer_id", _S), ("name", _S), ("title", _S), ("phone", _S),
        ("email", _S), ("is_primary", pa.bool_()), ("created_at", _TS), ("updated_at", _TS),
    ],
    "interactions": [
        ("interaction_id", _S), ("customer_id", _S), ("contact_id", _S), ("user_id", _S),
        ("channel", _S), ("occurred_at", _TS), ("subject", _S), ("outcome", _S),
        ("created_at", _TS), ("updated_at", _TS),
    ],
    "tickets": [
        ("ticket_id", _S), ("customer_id", _S), ("sales_order_id", _S), ("material_id", _S),
        ("root_cause_vendor_id", _S), ("category", _S), ("severity", _S), ("status", _S),
        ("subject", _S), ("opened_at", _TS), ("first_response_at", _TS), ("resolved_at", _TS),
        ("assigned_to", _S), ("created_at", _TS), ("updated_at", _TS),
    ],
}


def crm_specs() -> list[EntitySpec]:
    """Bronze specs of the CRM entities (key = first column, change column updated_at)."""
    return [
        EntitySpec("crm", entity, pa.schema(columns), key=(columns[0][0],))
        for entity, columns in CRM_COLUMNS.items()
    ]


def _raw_type(declared: pa.DataType) -> pa.DataType:
    """How SQLite hands a column over: timestamps as text, booleans as integers."""
    if declared == _TS:
        return _S
    if pa.types.is_boolean(declared):
        return pa.int64()
    return declared


def land_crm_from_sqlite(storage: LakeStorage, crm_db: Path) -> dict[str, int]:
    """Land every CRM table of ``crm_db`` in ``bronze/crm/<entity>``; returns rows per entity."""
    counts: dict[str, int] = {}
    with sqlite3.connect(crm_db) as con:
        for spec in crm_specs():
            names = spec.schema.names
            rows = con.execute(f"select {', '.join(names)} from {spec.entity}").fetchall()
            columns = list(zip(*rows, strict=True)) if rows else [[] for _ in names]
            raw = pa.table({n: pa.array(list(c), type=_raw_type(f.type))
                            for n, c, f in zip(names, columns, spec.schema, strict=True)})
            report = land_batch(storage, spec, RawBatch(table=raw, low=None, high=None),
                                f"crm-{spec.entity}-fixture")
            counts[spec.entity] = report.inserted
    return counts
