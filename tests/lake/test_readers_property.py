"""Property (#25): whatever sequence of batches the writer takes — new keys, re-deliveries
with changed values, older changes, duplicates within a batch — the DuckDB reader answers
equality, range, ``IN`` and ``LIKE`` filters on every column type exactly as an in-memory
reference of the merge rules does, and every file holds the declared types.

Derandomized (a fixed example sequence), about 15 examples of up to 5 batches: ~10 s.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lake.spec import EntitySpec
from lake.sql import connect
from lake.storage import LakeStorage
from lake.tables import open_table
from lake.writer import merge_batch

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
SPEC = EntitySpec(
    "wms", "moves",
    pa.schema([("move_id", pa.string()), ("plant", pa.string()), ("qty", pa.int64()),
               ("price", pa.decimal128(18, 4)), ("due", pa.date32()),
               ("changed_at", pa.timestamp("us", tz="UTC"))]),
    key=("move_id",), change_column="changed_at",
)
KEYS = [f"MV-{i:02d}" for i in range(12)]
PLANTS = ["WH-A", "WH-B", "仓-北", "O'Hare"]

row = st.fixed_dictionaries({
    "move_id": st.sampled_from(KEYS),
    "plant": st.sampled_from(PLANTS),
    "qty": st.integers(-50, 50),
    "price": st.integers(-10_000, 10_000).map(lambda c: Decimal(c) / 100),
    "due": st.integers(0, 9).map(lambda d: dt.date(2026, 4, 1) + dt.timedelta(days=d)),
    "changed_at": st.integers(0, 6).map(lambda h: T0 + dt.timedelta(hours=h)),
})
batches = st.lists(st.lists(row, min_size=1, max_size=8), min_size=1, max_size=5)


def _reference(sequence: list[list[dict]]) -> dict[str, dict]:
    """The merge rules: in a batch the newest change per key wins (the last seen on ties); a
    stored row is replaced only by a strictly newer change."""
    stored: dict[str, dict] = {}
    for batch in sequence:
        latest: dict[str, dict] = {}
        for r in batch:
            if r["move_id"] not in latest or r["changed_at"] >= latest[r["move_id"]]["changed_at"]:
                latest[r["move_id"]] = r
        for key, r in latest.items():
            if key not in stored or r["changed_at"] > stored[key]["changed_at"]:
                stored[key] = r
    return stored


def _queries(probe: dict) -> list[tuple[str, object]]:
    """(SQL predicate, python predicate) pairs on every column type around ``probe``'s values."""
    plant, qty, price, due, at = probe["plant"], probe["qty"], probe["price"], probe["due"], probe["changed_at"]
    quoted, prefix = plant.replace("'", "''"), plant[:2].replace("'", "''")
    stamp = at.strftime("%Y-%m-%d %H:%M:%S+00")
    return [
        (f"plant = '{quoted}'", lambda r: r["plant"] == plant),
        (f"move_id >= '{probe['move_id']}'", lambda r: r["move_id"] >= probe["move_id"]),
        (f"plant in ('{quoted}', 'WH-B')", lambda r: r["plant"] in (plant, "WH-B")),
        (f"plant like '{prefix}%'", lambda r: r["plant"].startswith(plant[:2])),
        (f"qty = {qty}", lambda r: r["qty"] == qty),
        (f"qty between {qty - 10} and {qty + 10}", lambda r: qty - 10 <= r["qty"] <= qty + 10),
        (f"price = {price}", lambda r: r["price"] == price),
        (f"price < {price}", lambda r: r["price"] < price),
        (f"due = date '{due}'", lambda r: r["due"] == due),
        (f"due in (date '{due}', date '2026-04-01')", lambda r: r["due"] in (due, dt.date(2026, 4, 1))),
        (f"changed_at = timestamptz '{stamp}'", lambda r: r["changed_at"] == at),
        (f"changed_at > timestamptz '{stamp}'", lambda r: r["changed_at"] > at),
    ]


@settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=batches, probe=row)
def test_reader_answers_like_the_reference_after_any_batch_sequence(sequence, probe):
    root = Path(tempfile.mkdtemp(prefix="lake-prop-"))
    try:
        storage = LakeStorage(str(root))
        for n, batch in enumerate(sequence):
            merge_batch(storage, SPEC, pa.Table.from_pylist(batch, schema=SPEC.schema), f"batch-{n}")
        expected = _reference(sequence)
        con = connect(storage)
        con.execute("SET TimeZone = 'UTC'")
        got = {r[0]: r[1:] for r in con.execute(
            "select move_id, plant, qty, price, due, changed_at from bronze.wms__moves").fetchall()}
        assert got == {k: (r["plant"], r["qty"], r["price"], r["due"], r["changed_at"]) for k, r in expected.items()}
        for sql, keep in _queries(probe):
            answer = [k for (k,) in con.execute(f"select move_id from bronze.wms__moves where {sql} order by 1").fetchall()]
            assert answer == sorted(k for k, r in expected.items() if keep(r)), sql
        declared = [(f.name, f.type) for f in SPEC.lake_schema]
        for uri in open_table(storage, SPEC.relative_path).file_uris():
            assert [(f.name, f.type) for f in pq.read_schema(uri.removeprefix("file://"))] == declared
    finally:
        shutil.rmtree(root, ignore_errors=True)
