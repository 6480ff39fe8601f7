"""Raw records of quarantined rows as JSON text, and their record keys, built column by column.

A quarantined row keeps its raw values as ``json.dumps(record, ensure_ascii=False)`` (values
JSON cannot hold go through :func:`_json_default`). Converting every bad row to a Python
dict and dumping it costs tens of microseconds a row, which a dropped file whose header is
wrong (every row quarantined) turns into most of a batch's time. :func:`records_json`
produces the *same text* from the Arrow table: each column becomes its JSON fragments with
Arrow kernels (text escaped, integers printed, other types converted once per distinct
value by the very same Python conversion, anything unusual value by value), and the
fragments are joined row-wise between the constant ``{"name": …, …}`` pieces.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc

#: control characters: JSON escapes them; rows holding one are encoded by ``json`` itself.
_CONTROL = r"[\x00-\x1f]"
#: characters JSON escapes (control characters, quote, backslash).
_SPECIAL = r'[\x00-\x1f"\\]'


def _json_value(value: object) -> object:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return value


def _json_default(value: object) -> object:
    converted = _json_value(value)
    return str(value) if converted is value else converted


def raw_record_json(record: Mapping[str, object]) -> str:
    """Serialise a raw record for the quarantine table (never fails, keeps every value).

    Only values JSON cannot represent (timestamps, decimals, bytes …) go through
    ``_json_value``, via the encoder's ``default`` hook rather than one Python call per value.
    """
    return json.dumps(dict(record), ensure_ascii=False, default=_json_default)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _text_fragments(column: pa.Array) -> pa.Array:
    """``json.dumps`` of each text value: quotes and backslashes escaped by Arrow, values with
    a control character (rare) encoded by ``json``."""
    if not pc.any(pc.match_substring_regex(column, _SPECIAL)).as_py():  # the common case
        return pc.binary_join_element_wise('"', column, '"', "")
    escaped = pc.replace_substring(pc.replace_substring(column, "\\", "\\\\"), '"', '\\"')
    quoted = pc.binary_join_element_wise('"', escaped, '"', "")
    control = pc.fill_null(pc.match_substring_regex(column, _CONTROL), False)
    if pc.any(control).as_py():
        odd = column.filter(control).to_pylist()
        quoted = pc.replace_with_mask(quoted, control, pa.array([_dumps(v) for v in odd], quoted.type))
    return quoted


def _fragments(column: pa.Array) -> pa.Array:
    """The JSON text of each value of ``column`` exactly as ``json.dumps`` writes it (nulls: null)."""
    kind = column.type
    if pa.types.is_null(kind):
        return pa.array(["null"] * len(column), pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = _text_fragments(pc.cast(column, pa.string()))
    elif pa.types.is_integer(kind):
        text = pc.cast(column, pa.string())
    elif pa.types.is_boolean(kind):
        text = pc.if_else(column, "true", "false")
    elif (pa.types.is_timestamp(kind) or pa.types.is_date(kind) or pa.types.is_time(kind)
          or pa.types.is_decimal(kind)):
        # few distinct values (a file's drop time …): the same Python conversion, once per value
        encoded = pc.dictionary_encode(column)
        distinct = pa.array([_dumps(v) for v in encoded.dictionary.to_pylist()], pa.string())
        text = pc.take(distinct, encoded.indices)
    else:  # floats, bytes, nested values …: json itself, value by value
        return pa.array([_dumps(v) for v in column.to_pylist()], pa.string())
    return pc.fill_null(text, "null")


def records_json(table: pa.Table) -> list[str]:
    """``raw_record_json`` of every row of ``table``, computed column by column.

    Example:
        >>> import pyarrow as pa
        >>> records_json(pa.table({"id": ["a\\"1", None], "n": [1, 2]}))
        ['{"id": "a\\\\"1", "n": 1}', '{"id": null, "n": 2}']
    """
    return records_json_many([table])[0]


def records_json_many(tables: list[pa.Table]) -> list[list[str]]:
    """:func:`records_json` of several tables, computing the fragments of tables whose columns
    have the same types together (their names may differ).

    A group of files quarantines a few rows from each of many files; one pass over all of
    them instead of a dozen small Arrow calls per file and column.
    """
    out: list[list[str]] = [[] for _ in tables]
    by_types: dict[tuple, list[int]] = {}
    for i, table in enumerate(tables):
        names = table.column_names
        if table.num_rows == 0:
            continue
        if len(set(names)) != len(names):  # a dict keeps one value per name: let json decide
            out[i] = [raw_record_json(r) for r in table.to_pylist()]
        elif not names:
            out[i] = ["{}"] * table.num_rows
        else:
            by_types.setdefault(tuple(table.schema.types), []).append(i)
    for members in by_types.values():
        width = tables[members[0]].num_columns
        positional = [f"c{j}" for j in range(width)]
        together = pa.concat_tables([tables[i].rename_columns(positional) for i in members])
        fragments = [_fragments(together.column(j).combine_chunks()) for j in range(width)]
        start = 0
        for i in members:
            n = tables[i].num_rows
            pieces: list[object] = []
            for j, name in enumerate(tables[i].column_names):
                pieces.append(("{" if j == 0 else ", ") + _dumps(name) + ": ")
                pieces.append(fragments[j].slice(start, n))
            pieces.append("}")
            out[i] = pc.binary_join_element_wise(*pieces, "").to_pylist()
            start += n
    return out


def record_keys(table: pa.Table, key: tuple[str, ...] | list[str]) -> list[str | None]:
    """Each raw row's source key as text (``|``-joined parts), ``None`` when a part is missing.

    The same as ``"|".join(str(p) for p in parts)`` over the raw record's key values; text
    and integer keys are joined by Arrow, other types value by value.
    """
    n = table.num_rows
    if any(k not in table.column_names for k in key):
        return [None] * n
    columns = [table.column(k).combine_chunks() for k in key]
    if all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) or pa.types.is_integer(c.type)
           for c in columns):
        parts = [pc.cast(c, pa.string()) for c in columns]
        joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "|")
        return joined.to_pylist()
    rows = zip(*(c.to_pylist() for c in columns), strict=True)
    return [None if any(p is None for p in parts) else "|".join(str(p) for p in parts) for parts in rows]
