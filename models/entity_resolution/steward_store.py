"""Where the steward's review loop lives in the lake (Delta tables, read by every run).

- ``<lake>/steward/supplier_match_decisions`` (``settings.suppliers.decisions_table``): the
  append-only decision log (:data:`review.DECISION_COLUMNS`); one Delta commit per
  decision, so the table's history is the audit trail. Every supplier-master run
  (``int_suppliers__resolved``) reads it whole and applies the latest decision per pair.
- ``<lake>/gold/supplier_review_queue`` (``settings.suppliers.review_queue_table``): the
  uncertain pairs of the last run (:data:`review.QUEUE_COLUMNS`), the mart
  ``supplier_review_queue`` published like every gold mart; read here for the command.

Decisions are human input, like a source system's rows: they live in the lake beside the
data they correct, never only in a run's output, so a rebuilt dbt database or a re-run
from scratch keeps them.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from lake.storage import LakeStorage
from models.entity_resolution.review import DECISION_COLUMNS, QUEUE_COLUMNS

DECISION_SCHEMA = pa.schema([(c, pa.string()) for c in DECISION_COLUMNS])
QUEUE_SCHEMA = pa.schema([
    ("left_record_id", pa.string()), ("right_record_id", pa.string()), ("probability", pa.float64()),
    ("left_name", pa.string()), ("right_name", pa.string()), ("left_supplier_key", pa.string()),
    ("right_supplier_key", pa.string()), ("same_supplier", pa.bool_()),
])


def read_decisions(storage: LakeStorage, relative: str) -> pd.DataFrame:
    """The whole decision log (empty frame before the first decision)."""
    from lake.tables import open_table, read_columns

    table = open_table(storage, relative)
    if table is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DECISION_COLUMNS})
    return read_columns(table, list(DECISION_COLUMNS)).to_pandas().fillna("")


def append_decision(storage: LakeStorage, relative: str, decision: dict) -> int:
    """Append one decision (a :func:`review.new_decision` row); returns the Delta version."""
    from deltalake import CommitProperties, write_deltalake

    from lake.tables import open_table

    row = pa.Table.from_pylist([{c: str(decision.get(c, "")) for c in DECISION_COLUMNS}], schema=DECISION_SCHEMA)
    write_deltalake(storage.uri(relative), row, mode="append", storage_options=storage.delta_options(),
                    name="steward.supplier_match_decisions",
                    commit_properties=CommitProperties(custom_metadata={
                        "grouplake.decided_by": row["decided_by"][0].as_py()}))
    table = open_table(storage, relative)
    assert table is not None
    return table.version()


def read_queue(storage: LakeStorage, relative: str) -> pd.DataFrame:
    """The review queue of the last run (empty before the first run)."""
    from lake.tables import open_table, read_columns

    table = open_table(storage, relative)
    if table is None:
        return pd.DataFrame({f.name: pd.Series(dtype=object) for f in QUEUE_SCHEMA})
    return read_columns(table, list(QUEUE_COLUMNS)).to_pandas()
