"""Filtered reads of lake tables (no object store needed)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.dataset as pads

from lake.spec import EntitySpec
from lake.storage import LakeStorage
from lake.tables import open_table, read_columns
from lake.writer import merge_batch

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SPEC = EntitySpec(
    "erp", "items",
    pa.schema([("item_id", pa.string()), ("qty", pa.int64()), ("updated_at", pa.timestamp("us", tz="UTC"))]),
    key=("item_id",),
)


def _batch(rows: list[tuple[str, int, int]]) -> pa.Table:
    return pa.table(
        {
            "item_id": [r[0] for r in rows],
            "qty": [r[1] for r in rows],
            "updated_at": pa.array([T0 + dt.timedelta(hours=r[2]) for r in rows], pa.timestamp("us", tz="UTC")),
        },
        schema=SPEC.schema,
    )


def test_point_filters_work_on_files_a_merge_wrote(tmp_path):
    """A MERGE writes string_view columns; ``k >= 'a' and k <= 'a'`` (a one-key batch's bounds)
    becomes ``k == 'a'``, which pyarrow cannot evaluate on them inside the scan."""
    storage = LakeStorage(str(tmp_path / "lake"))
    merge_batch(storage, SPEC, _batch([("a", 1, 5), ("b", 2, 5)]), "b1")
    merge_batch(storage, SPEC, _batch([("a", 10, 6), ("c", 3, 1)]), "b2")  # a MERGE (updates "a")
    table = open_table(storage, SPEC.relative_path)
    key = pads.field("item_id")
    assert read_columns(table, ["item_id"], filter=(key >= "a") & (key <= "a")).to_pylist() == [{"item_id": "a"}]
    assert read_columns(table, ["qty"], filter=key == "a").to_pylist() == [{"qty": 10}]  # filter column not read
    assert read_columns(table, None, filter=key == "c").column("qty").to_pylist() == [3]
    assert read_columns(table, ["item_id"]).num_rows == 3
