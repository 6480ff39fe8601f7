"""A batch's keys as one integer per row: distinct counts and membership without string joins.

Merging by key asks three questions of a batch: are its keys unique, what range do they
span, and which of them are already stored. With a composite key (a stock snapshot's
``(snapshot_date, warehouse_code, sku, bin)``) answering them with a group-by, min/max over
every row and a join on four text columns costs more than writing the batch.
:func:`encode_keys` hashes each key column once (``dictionary_encode``): a row's key
becomes its column positions in the batch's distinct values, packed into one ``int64``
(``code = ((i0 * n1) + i1) * n2 + i2 …``). Two rows have the same code exactly when they
have the same key, so:

- the batch's keys are unique when the codes are;
- the distinct values of each column bound the batch's key range (min/max of a few
  thousand values instead of every row);
- a stored row's code, looked up in the same dictionaries (``index_in``), exists only when
  every part of its key occurs in the batch; its key is one of the batch's exactly when
  that code is one of the batch's codes. Stored text read dictionary-encoded (as Parquet
  keeps it) is looked up once per distinct stored value, not once per row.

Keys that cannot be packed (a null part, floating-point parts whose equality differs
between hashing and comparison, more combinations than ``int64`` holds) get ``None`` and
the caller uses its general path.

A single-column key needs no packing: :func:`distinct_count` and :func:`member_mask` count
and look it up with Polars, whose hash set is several times cheaper than Arrow's for the
short text keys sources use (``MV-000000049`` fits inside a Polars string view).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

_LIMIT = 2**62
#: largest bitmap (one byte per key combination) :meth:`KeyCodes.contains` builds.
_BITMAP = 1 << 22


def _packable(kind: pa.DataType) -> bool:
    return (
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_binary(kind)
        or pa.types.is_integer(kind) or pa.types.is_date(kind) or pa.types.is_timestamp(kind)
        or pa.types.is_decimal(kind) or pa.types.is_boolean(kind)
    )


def _same_buffers(a: pa.Array, b: pa.Array) -> bool:
    def addresses(x: pa.Array) -> list[int | None]:
        return [b.address if b is not None else None for b in x.buffers()]

    return len(a) == len(b) and a.offset == b.offset and addresses(a) == addresses(b)


@dataclass(frozen=True)
class KeyCodes:
    """One batch's keys, packed.

    Attributes:
        names: the key columns.
        dictionaries: the distinct values of each key column in the batch (no nulls).
        codes: one ``int64`` per batch row; equal exactly when the keys are equal.
    """

    names: tuple[str, ...]
    dictionaries: tuple[pa.Array, ...]
    codes: np.ndarray

    def distinct(self) -> int:
        """How many distinct keys the batch holds."""
        if len(self.dictionaries) == 1:
            return len(self.dictionaries[0])
        if len(self.codes) == 0:
            return 0
        ordered = np.sort(self.codes)
        return 1 + int(np.count_nonzero(ordered[1:] != ordered[:-1]))

    def lookup(self, table: pa.Table) -> np.ndarray:
        """The codes of ``table``'s keys in this batch's packing; ``-1`` where a part of the
        key does not occur in the batch (so that key is not one of the batch's)."""
        code = np.zeros(table.num_rows, dtype=np.int64)
        absent = np.zeros(table.num_rows, dtype=bool)
        for name, values in zip(self.names, self.dictionaries, strict=True):
            index = _numpy(pc.fill_null(_positions(table.column(name), values), -1))
            absent |= index < 0
            code = code * len(values) + index
        code[absent] = -1
        return code

    def contains(self, codes: np.ndarray) -> np.ndarray:
        """For each batch row, whether its code is one of ``codes`` (stored keys' codes).

        A prefix of the key whose combinations fit a small bitmap rules out most stored codes
        without hashing (a stored row of another day or warehouse); only the rest are
        hash-looked up. When the whole key fits, the bitmap alone is the answer.
        """
        if len(codes) == 0:
            return np.zeros(len(self.codes), dtype=bool)
        sizes = [len(d) for d in self.dictionaries]
        combinations, prefix = 1, 0
        while prefix < len(sizes) and combinations * sizes[prefix] <= _BITMAP:
            combinations *= sizes[prefix]
            prefix += 1
        if prefix == len(sizes):
            seen = np.zeros(combinations, dtype=bool)
            seen[codes] = True
            return seen[self.codes]
        if prefix:
            suffix = int(np.prod(sizes[prefix:], dtype=object))
            present = np.zeros(combinations, dtype=bool)
            present[self.codes // suffix] = True
            codes = codes[present[codes // suffix]]
            if len(codes) == 0:
                return np.zeros(len(self.codes), dtype=bool)
        return pc.is_in(pa.array(self.codes), value_set=pa.array(codes)).to_numpy(zero_copy_only=False)


def _positions(column: pa.ChunkedArray, values: pa.Array) -> pa.ChunkedArray:
    """Each value's position in ``values`` (null when absent); a dictionary-encoded column
    looks up its dictionary only and gathers the result by its indices."""
    if not pa.types.is_dictionary(column.type):
        if column.type != values.type:
            column = pc.cast(column, values.type)
        return pc.index_in(column, value_set=values)
    parts = []
    for chunk in column.chunks:
        dictionary = chunk.dictionary
        if dictionary.type != values.type:
            dictionary = pc.cast(dictionary, values.type)
        parts.append(pc.take(pc.index_in(dictionary, value_set=values), chunk.indices))
    return pa.chunked_array(parts, pa.int32())


def _numpy(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer array without nulls as numpy (zero-copy for a single chunk)."""
    if isinstance(array, pa.ChunkedArray):
        if array.num_chunks == 1:
            return array.chunk(0).to_numpy()
        return np.concatenate([c.to_numpy() for c in array.chunks]) if array.num_chunks else np.zeros(0, np.int32)
    return array.to_numpy()


def encode_keys(table: pa.Table, names: tuple[str, ...] | list[str]) -> KeyCodes | None:
    """Pack ``table``'s key columns (see the module docstring); ``None`` when they cannot be.

    Example:
        >>> import pyarrow as pa
        >>> keys = encode_keys(pa.table({"d": [1, 1, 2], "s": ["a", "b", "a"]}), ["d", "s"])
        >>> keys.codes.tolist(), keys.distinct()
        ([0, 1, 2], 3)
    """
    dictionaries: list[pa.Array] = []
    code = np.zeros(table.num_rows, dtype=np.int64)
    combinations = 1
    for name in names:
        column = table.column(name)
        if not _packable(column.type) or column.null_count:
            return None
        encoded = pc.dictionary_encode(column)
        chunks = encoded.chunks if isinstance(encoded, pa.ChunkedArray) else [encoded]
        values = chunks[0].dictionary if chunks else pa.array([], column.type)
        if any(not _same_buffers(c.dictionary, values) for c in chunks[1:]):
            return None  # chunks not sharing one dictionary (Arrow shares it; checked, not assumed)
        combinations *= max(len(values), 1)
        if combinations >= _LIMIT:
            return None
        index = _numpy(pa.chunked_array([c.indices for c in chunks], pa.int32()))
        code = code * len(values) + index
        dictionaries.append(values)
    if not dictionaries:
        return None
    return KeyCodes(tuple(names), tuple(dictionaries), code)


def _polars_ready(*columns: pa.ChunkedArray | pa.Array) -> bool:
    """Whether single key columns take the Polars path: text, binary or integers, no nulls
    (Arrow's ``is_in`` matches a null with a null, Polars' does not: the keys never hold one)."""
    def fits(kind: pa.DataType) -> bool:
        return (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
                or pa.types.is_binary(kind) or pa.types.is_large_binary(kind) or pa.types.is_integer(kind))
    return all(fits(c.type) and c.null_count == 0 for c in columns)


def distinct_count(column: pa.ChunkedArray | pa.Array) -> int:
    """How many distinct values a single key column holds.

    Polars counts text keys several times faster than Arrow's ``unique`` (short strings sit
    inside its string views, and its hash is cheaper); the count is the same.
    """
    if _polars_ready(column):
        return pl.from_arrow(column).n_unique()
    return len(pc.unique(column))


def member_mask(batch_keys: pa.ChunkedArray, stored_keys: pa.ChunkedArray) -> pa.Array:
    """For each batch key, whether it is among ``stored_keys`` (single key columns).

    The hash set is built on the smaller side: usually the batch, probed by the stored keys
    (only the few that match are then looked up per batch row); the stored keys when fewer
    of them fall in the batch's key range than the batch has rows.
    """
    if not _polars_ready(batch_keys, stored_keys):
        batch_keys, stored_keys = batch_keys.combine_chunks(), stored_keys.combine_chunks()
        if len(stored_keys) >= len(batch_keys):
            stored_keys = pc.filter(stored_keys, pc.fill_null(pc.is_in(stored_keys, value_set=batch_keys), False))
        return pc.fill_null(pc.is_in(batch_keys, value_set=stored_keys), False)
    batch, stored = pl.from_arrow(batch_keys), pl.from_arrow(stored_keys)
    if stored.dtype != batch.dtype:
        stored = stored.cast(batch.dtype, strict=False)  # a value that does not fit matches nothing
    if len(stored) >= len(batch):
        stored = stored.filter(stored.is_in(batch.implode()))
    if len(stored) == 0:
        return pa.array(np.zeros(len(batch), dtype=bool))
    return pa.array(batch.is_in(stored.implode()).to_numpy())
