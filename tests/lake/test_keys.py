"""Packed key codes answer exactly what the keys themselves answer."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from lake import keys as keys_module
from lake.keys import distinct_count, encode_keys, member_mask

NAMES = ("day", "site", "sku")


def _table(rng: random.Random, n: int, chunks: int = 3) -> pa.Table:
    rows = {
        "day": [dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(6)) for _ in range(n)],
        "site": [f"S{rng.randrange(4)}" for _ in range(n)],
        "sku": [f"K{rng.randrange(40):03d}" for _ in range(n)],
    }
    table = pa.table({"day": pa.array(rows["day"], pa.date32()), "site": rows["site"], "sku": rows["sku"]})
    cuts = sorted(rng.sample(range(1, n), chunks - 1)) if n > chunks else []
    parts = [table.slice(a, b - a) for a, b in zip([0, *cuts], [*cuts, n], strict=True)]
    return pa.concat_tables(parts) if parts else table


def _keys(table: pa.Table) -> list[tuple]:
    return list(zip(*(table.column(n).to_pylist() for n in NAMES), strict=True))


@pytest.mark.parametrize("bitmap", [1 << 22, 30, 1])  # whole key, a prefix, no prefix fits
def test_codes_count_look_up_and_contain_exactly_like_the_keys(bitmap, monkeypatch):
    monkeypatch.setattr(keys_module, "_BITMAP", bitmap)
    rng = random.Random(11)
    for _ in range(20):
        batch = _table(rng, rng.randrange(1, 300))
        stored = _table(rng, rng.randrange(0, 300))
        packed = encode_keys(batch, NAMES)
        assert packed is not None
        batch_keys = _keys(batch)
        assert packed.distinct() == len(set(batch_keys))
        pairs = set(zip(batch_keys, packed.codes.tolist(), strict=True))  # one code per key, and back
        assert len(pairs) == len(set(batch_keys)) == len(set(packed.codes.tolist()))
        codes = packed.lookup(stored)
        stored_keys = _keys(stored)
        by_key = dict(zip(batch_keys, packed.codes.tolist(), strict=True))
        parts = [set(batch.column(n).to_pylist()) for n in NAMES]
        for key, code in zip(stored_keys, codes.tolist(), strict=True):
            assert (code >= 0) == all(v in known for v, known in zip(key, parts, strict=True))
            assert (code in by_key.values()) == (key in by_key)
            assert key not in by_key or by_key[key] == code
        assert packed.contains(codes[codes >= 0]).tolist() == [k in set(stored_keys) for k in batch_keys]


def test_stored_text_read_dictionary_encoded_or_wider_is_looked_up_the_same():
    rng = random.Random(5)
    batch, stored = _table(rng, 200), _table(rng, 200)
    packed = encode_keys(batch, NAMES)
    expected = packed.lookup(stored)
    encoded = stored.set_column(1, "site", pc.dictionary_encode(stored.column("site")))
    encoded = encoded.set_column(2, "sku", pc.cast(stored.column("sku"), pa.large_string()))
    assert np.array_equal(packed.lookup(encoded), expected)


def test_keys_that_cannot_be_packed_are_left_to_the_general_path():
    assert encode_keys(pa.table({"a": ["x", None], "b": [1, 2]}), ["a", "b"]) is None  # a null part
    assert encode_keys(pa.table({"a": [0.5, 1.5], "b": [1, 2]}), ["a", "b"]) is None  # floating point
    many = pa.table({f"c{i}": pa.array(range(100_000), pa.int64()) for i in range(4)})
    assert encode_keys(many, many.column_names) is None  # more combinations than int64 holds


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string(), pa.int64(), pa.int32()])
def test_single_key_count_and_membership_equal_python_sets(kind):
    rng = random.Random(3)
    for _ in range(15):
        def column(n: int) -> pa.ChunkedArray:
            values = [rng.randrange(500) for _ in range(n)]
            values = [f"MV-{v:09d}" for v in values] if pa.types.is_string(kind) or pa.types.is_large_string(kind) else values
            cut = rng.randrange(n + 1)
            return pa.chunked_array([pa.array(values[:cut], kind), pa.array(values[cut:], kind)], kind)
        batch, stored = column(rng.randrange(1, 400)), column(rng.randrange(0, 800))
        assert distinct_count(batch) == len(set(batch.to_pylist()))
        known = set(stored.to_pylist())
        expected = [v in known for v in batch.to_pylist()]
        assert member_mask(batch, stored).to_pylist() == expected
        wider = pc.cast(stored, pa.large_string() if kind == pa.string() else kind)
        assert member_mask(batch, wider).to_pylist() == expected


def test_single_keys_with_a_null_take_arrows_rule():
    batch = pa.chunked_array([pa.array(["a", None, "c"])])
    stored = pa.chunked_array([pa.array([None, "c"])])
    assert member_mask(batch, stored).to_pylist() == [False, True, True]  # Arrow matches null with null
    assert distinct_count(batch) == 3
