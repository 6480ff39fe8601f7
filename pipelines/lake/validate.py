"""Validate a raw batch against its declared schema, row by row, without losing a row.

Sources hand over Arrow tables whose columns may be loosely typed (SQLite returns text in
a numeric column, CSV files are all text). :func:`validate_batch` casts every column to
the declared type with vectorised Arrow kernels; only when a column fails does it bisect
the column to find the offending rows, so the clean path costs one cast per column. Rows
that cannot be cast, lack their key or a required value, or were flagged by the connector
(an undecodable byte sequence, say) become quarantine records carrying the reason and the
raw values; every other row of the batch goes on.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.lake.spec import EntitySpec

_BISECT_MIN = 64
_CHUNK = 4096


@dataclass
class ValidationResult:
    """The outcome of validating one batch.

    Attributes:
        good: rows that passed, cast to the declared schema.
        bad_rows: raw records of the rows that failed (JSON-ready dicts).
        bad_reasons: one reason string per bad row (same order as ``bad_rows``).
        bad_keys: the source key of each bad row when it could be read, else ``None``.
    """

    good: pa.Table
    bad_rows: list[dict] = field(default_factory=list)
    bad_reasons: list[str] = field(default_factory=list)
    bad_keys: list[str | None] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        return len(self.bad_rows)


def _cast_timestamp_utc(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """Cast to a UTC timestamp, accepting naive (taken as UTC) and offset-bearing text."""
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:
            return pc.assume_timezone(pc.cast(arr, pa.timestamp(target.unit)), "UTC")
        return pc.cast(arr, target)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        if target.tz is not None:
            try:
                if pc.all(pc.ends_with(arr, "Z")).as_py() is not False:
                    # the common case, ISO text in UTC ("…Z") without padding: one cast
                    return pc.cast(arr, target)
                # clean naive text (databases): Arrow refuses zones and padding here, so
                # success means every value is naive, which the general path takes as UTC
                return pc.cast(pc.assume_timezone(pc.cast(arr, pa.timestamp(target.unit)), "UTC"), target)
            except pa.ArrowInvalid:
                pass
        text = pc.utf8_trim_whitespace(arr)
        zoned = pc.fill_null(pc.match_substring_regex(text, r"(Z|[+-]\d{2}:?\d{2})$"), False)
        null_text = pa.scalar(None, text.type)
        naive = pc.cast(pc.if_else(zoned, null_text, text), pa.timestamp(target.unit))
        naive_utc = pc.cast(pc.assume_timezone(naive, "UTC"), target)
        if not pc.any(zoned).as_py():
            return naive_utc
        with_zone = pc.cast(pc.if_else(zoned, text, null_text), target)
        return pc.if_else(zoned, with_zone, naive_utc)
    if pa.types.is_date(arr.type):
        return pc.assume_timezone(pc.cast(arr, pa.timestamp(target.unit)), "UTC")
    return pc.cast(arr, target)


def cast_array(arr: pa.Array, target: pa.DataType) -> pa.Array:
    """Cast ``arr`` to ``target`` with the lake's conventions; raise on any bad value.

    Floats cast to decimals are rounded to the decimal's scale first (SQLite stores
    ``NUMERIC`` as binary floating point), naive timestamps are taken as UTC.
    """
    if arr.type == target:
        return arr
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), target)
    if pa.types.is_timestamp(target):
        return _cast_timestamp_utc(arr, target)
    if pa.types.is_decimal(target) and pa.types.is_floating(arr.type):
        return pc.cast(pc.round(arr, target.scale), target)
    if pa.types.is_decimal(target) and pa.types.is_integer(arr.type):
        return pc.cast(pc.cast(arr, pa.decimal128(38, target.scale)), target)
    if pa.types.is_decimal(target) and pa.types.is_decimal(arr.type):
        if arr.type.scale > target.scale:
            arr = pc.round(arr, target.scale)
        return pc.cast(pc.cast(arr, pa.decimal128(38, target.scale)), target)
    if pa.types.is_decimal(target) and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        try:  # clean text casts as is (Arrow rejects padding, so trimming could not change it)
            return pc.cast(arr, target)
        except pa.ArrowInvalid:
            pass
        trimmed = pc.utf8_trim_whitespace(arr)
        try:
            return pc.cast(trimmed, target)
        except pa.ArrowInvalid:
            # text written from a binary float ("0.30000000000000004"): round like a float
            return pc.cast(pc.round(pc.cast(trimmed, pa.float64()), target.scale), target)
    if (pa.types.is_integer(target) or pa.types.is_floating(target)) and pa.types.is_string(arr.type):
        try:  # clean text casts as is (Arrow rejects padding, so trimming could not change it)
            return pc.cast(arr, target)
        except pa.ArrowInvalid:
            return pc.cast(pc.utf8_trim_whitespace(arr), target)
    if pa.types.is_boolean(target) and pa.types.is_string(arr.type):
        lowered = pc.utf8_lower(pc.utf8_trim_whitespace(arr))
        truthy = pc.is_in(lowered, pa.array(["true", "t", "1", "yes", "y"]))
        falsy = pc.is_in(lowered, pa.array(["false", "f", "0", "no", "n"]))
        bad = pc.and_(pc.is_valid(arr), pc.invert(pc.or_(truthy, falsy)))
        if pc.any(bad).as_py():
            raise pa.ArrowInvalid("not a boolean")
        return pc.if_else(pc.is_valid(arr), truthy, pa.scalar(None, pa.bool_()))
    return pc.cast(arr, target)


def _failing_positions(arr: pa.Array, target: pa.DataType, offset: int = 0) -> list[int]:
    """Positions in ``arr`` whose values cannot be cast: chunk by chunk, then by bisection.

    A long column is first cast in chunks of ``_CHUNK`` rows (one pass over the data) and only
    the failing chunks are bisected, so a few bad values scattered through a large batch cost
    about one extra pass, not one pass per bisection level per bad value.
    """
    if len(arr) > _CHUNK:
        bad = []
        for start in range(0, len(arr), _CHUNK):
            bad += _failing_positions(arr.slice(start, _CHUNK), target, offset + start)
        return bad
    try:
        cast_array(arr, target)
        return []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
        pass
    if len(arr) <= _BISECT_MIN:
        bad = []
        for i in range(len(arr)):
            try:
                cast_array(arr.slice(i, 1), target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
                bad.append(offset + i)
        return bad
    mid = len(arr) // 2
    return _failing_positions(arr.slice(0, mid), target, offset) + _failing_positions(
        arr.slice(mid), target, offset + mid
    )


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


def validate_batch(
    table: pa.Table,
    spec: EntitySpec,
    row_errors: Mapping[int, str] | None = None,
) -> ValidationResult:
    """Cast ``table`` to ``spec.schema``; split good rows from quarantined ones.

    Args:
        table: the raw batch as the source gave it (column types may be loose).
        spec: the entity's declared schema, key and required columns.
        row_errors: reasons the connector already found, by row position (e.g. an
            undecodable text value).

    Returns:
        A :class:`ValidationResult` whose ``good`` table has exactly the declared schema.

    Example:
        >>> import pyarrow as pa
        >>> from pipelines.lake.spec import EntitySpec
        >>> spec = EntitySpec("erp", "t", pa.schema([("id", pa.string()), ("qty", pa.int64()),
        ...     ("updated_at", pa.timestamp("us", tz="UTC"))]), key=("id",))
        >>> raw = pa.table({"id": ["a", "b"], "qty": ["1", "x"],
        ...     "updated_at": ["2026-01-01 00:00:00", "2026-01-01 00:00:00"]})
        >>> r = validate_batch(raw, spec)
        >>> r.good.num_rows, r.bad_reasons
        (1, ["column 'qty': cannot cast 'x' to int64"])
    """
    n = table.num_rows
    reasons: dict[int, list[str]] = {}
    for pos, reason in (row_errors or {}).items():
        reasons.setdefault(pos, []).append(reason)

    missing_columns = [name for name in spec.schema.names if name not in table.column_names]
    if missing_columns and n:
        why = f"missing column(s) {missing_columns}"
        for pos in range(n):
            reasons.setdefault(pos, []).append(why)

    columns: dict[str, pa.Array] = {}
    for fld in spec.schema:
        if fld.name in missing_columns:
            columns[fld.name] = pa.nulls(n, fld.type)
            continue
        arr = table.column(fld.name).combine_chunks()
        try:
            columns[fld.name] = cast_array(arr, fld.type)
            continue
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
            pass
        bad_positions = _failing_positions(arr, fld.type)
        for pos in bad_positions:
            shown = arr[pos].as_py()
            reasons.setdefault(pos, []).append(
                f"column {fld.name!r}: cannot cast {shown!r} to {fld.type}"
            )
        mask = np.ones(n, dtype=bool)
        mask[bad_positions] = False
        mask = pa.array(mask)
        # cast the castable values, null out the rest (those rows are quarantined anyway)
        cleaned = pc.if_else(mask, arr, pa.scalar(None, arr.type))
        columns[fld.name] = cast_array(cleaned, fld.type)

    for name in (*spec.key, *spec.required):
        nulls = pc.is_null(columns[name])
        if pc.any(nulls).as_py():
            for pos in pc.indices_nonzero(nulls).to_pylist():
                if not any(name in r for r in reasons.get(pos, [])):
                    kind = "key" if name in spec.key else "required column"
                    reasons.setdefault(pos, []).append(f"{kind} {name!r} is null")

    typed = pa.Table.from_arrays([columns[f.name] for f in spec.schema], schema=spec.schema)
    if not reasons:
        return ValidationResult(good=typed)

    bad_positions = sorted(reasons)
    keep = np.ones(n, dtype=bool)
    keep[bad_positions] = False
    good = typed.filter(pa.array(keep))
    raw_bad = table.take(pa.array(bad_positions)).to_pylist()
    bad_keys: list[str | None] = []
    for record in raw_bad:
        parts = [record.get(k) for k in spec.key]
        bad_keys.append(None if any(p is None for p in parts) else "|".join(str(p) for p in parts))
    return ValidationResult(
        good=good,
        bad_rows=raw_bad,
        bad_reasons=["; ".join(reasons[pos]) for pos in bad_positions],
        bad_keys=bad_keys,
    )
