"""Casting raw columns to their declared types, and finding the values that cannot be cast.

:func:`cast_array` casts a whole column with vectorised Arrow kernels and the lake's
conventions (naive timestamps are UTC, decimal text written from a binary float is rounded
like a float). Validation casts with :func:`cast_column`, which tries only the cheapest rule first
(:func:`cast_first`); where that fails it finds the values that cannot be cast on their own and casts
the rest with every rule: window by window (a group of files arrives as one chunk per
file), searching only failing windows, by halving their list of chunks, then inside a chunk by
casting slices of ``_CHUNK`` rows and bisecting the failing ones, so a few bad values in a large
batch cost about one extra pass and a few dozen small casts each. Text bound for a number, date
or timestamp skips the bisection: a plain pattern (``-?[0-9]{1,14}(\\.[0-9]{1,4})?`` for a
``decimal(18, 4)``) vouches for most values of a failing window, which are then cast together
to prove it, and only the others are cast one by one.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_BISECT_MIN = 8
_CHUNK = 4096
_WINDOW = 16_384
_MAX_SUSPECTS = 256
#: what a failed cast raises.
CAST_ERRORS = (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError)


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


def cast_first(arr: pa.Array | pa.ChunkedArray, target: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """The first, cheapest rule :func:`cast_array` tries, raising where it would go on to its
    slower ones (trimming, the float rule, per-value time zones).

    When it succeeds its result is :func:`cast_array`'s; when it fails, the caller goes to
    :func:`cast_failing_column`, which applies the slower rules window by window, so a column
    with a few bad values does not pay for every rule over all of its values first.
    """
    text = pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)
    if text and (pa.types.is_decimal(target) or pa.types.is_integer(target) or pa.types.is_floating(target)):
        return pc.cast(arr, target)
    if text and pa.types.is_timestamp(target) and target.tz is not None:
        if pc.all(pc.ends_with(arr, "Z")).as_py() is not False:
            return pc.cast(arr, target)
        return pc.cast(pc.assume_timezone(pc.cast(arr, pa.timestamp(target.unit)), "UTC"), target)
    return cast_array(arr, target)


def _cast_strict(arr: pa.Array | pa.ChunkedArray, target: pa.DataType) -> pa.Array | pa.ChunkedArray:
    """:func:`cast_array` without decimal text's float fallback, the one rule whose result
    depends on the other values of the column (it applies to all of them or none)."""
    if pa.types.is_decimal(target) and (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        try:
            return pc.cast(arr, target)
        except pa.ArrowInvalid:
            return pc.cast(pc.utf8_trim_whitespace(arr), target)
    return cast_array(arr, target)


def _windows(column: pa.ChunkedArray) -> Iterator[tuple[int, pa.ChunkedArray]]:
    """``(offset, part)`` of ``column`` in parts of about ``_WINDOW`` rows cut at chunk
    boundaries (a longer chunk is cut in ``_WINDOW``-row slices)."""
    start, size, pending = 0, 0, []
    for chunk in column.chunks:
        if len(chunk) > _WINDOW:
            if pending:
                yield start, pa.chunked_array(pending, column.type)
                start, size, pending = start + size, 0, []
            for at in range(0, len(chunk), _WINDOW):
                part = chunk.slice(at, _WINDOW)
                yield start, pa.chunked_array([part], column.type)
                start += len(part)
            continue
        pending.append(chunk)
        size += len(chunk)
        if size >= _WINDOW:
            yield start, pa.chunked_array(pending, column.type)
            start, size, pending = start + size, 0, []
    if pending:
        yield start, pa.chunked_array(pending, column.type)


def cast_column(column: pa.ChunkedArray, target: pa.DataType) -> tuple[pa.ChunkedArray | pa.Array, list[int]]:
    """Cast ``column`` with :func:`cast_array`'s rules, nulling the values that cannot be cast.

    Returns:
        The cast column and the positions of the values that cannot be cast on their own:
        exactly ``cast_array`` of the column with those values nulled (none when every value
        casts).

    A column in several chunks (a group of files) is cast window by window from the start
    (:func:`_cast_windows`), so a bad value costs its own window, not a wasted pass over the
    whole column; a single chunk first tries :func:`cast_first` as a whole.
    """
    if column.num_chunks <= 1:
        try:
            return cast_first(column, target), []
        except CAST_ERRORS:
            pass
    return _cast_windows(column, target)


def _cast_windows(column: pa.ChunkedArray, target: pa.DataType) -> tuple[pa.ChunkedArray, list[int]]:
    """:func:`cast_column` window by window.

    The same as finding every value that cannot be cast on its own, then
    ``cast_array(cleaned column)``: a window :func:`cast_first` casts is kept, a failing window
    is searched (:func:`_failing_by_pattern`, else :func:`_failing_parts`) and cast again
    without its bad values. When a window needs decimal text's float fallback, which would
    then apply to the whole column, the cleaned column is cast again as a whole.
    """
    parts: list[pa.Array | pa.ChunkedArray] = []
    bad: list[int] = []
    exact = True
    for offset, part in _windows(column):
        try:
            parts.append(cast_first(part, target))
            continue
        except CAST_ERRORS:
            pass
        found = _failing_by_pattern(part, target, offset)
        if found is None:
            found = _failing_parts(part, target, offset, checked=False)
        bad += found
        if found:
            keep = np.ones(len(part), dtype=bool)
            keep[np.asarray(found) - offset] = False
            part = pc.if_else(pa.array(keep), part, pa.scalar(None, part.type))
        try:
            parts.append(_cast_strict(part, target))
        except CAST_ERRORS:
            exact = False
            break
    if exact:
        chunks = [c for p in parts for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])]
        return pa.chunked_array(chunks, target), bad
    bad = _failing_parts(column, target, 0, checked=False)
    keep = np.ones(len(column), dtype=bool)
    keep[bad] = False
    return cast_array(pc.if_else(pa.array(keep), column, pa.scalar(None, column.type)), target), bad


def _safe_pattern(kind: pa.DataType, target: pa.DataType) -> str | None:
    """A regular expression matching only text that casts to ``target`` whatever its
    neighbours (a plain subset of what the cast accepts), or ``None``."""
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return None
    if pa.types.is_decimal(target) and target.precision > target.scale:
        fraction = rf"(\.[0-9]{{1,{target.scale}}})?" if target.scale else ""
        return rf"^-?[0-9]{{1,{target.precision - target.scale}}}{fraction}$"
    if pa.types.is_integer(target):
        digits = {8: 2, 16: 4, 32: 9, 64: 18}[target.bit_width]
        return rf"^-?[0-9]{{1,{digits}}}$" if pa.types.is_signed_integer(target) else rf"^[0-9]{{1,{digits}}}$"
    if pa.types.is_float32(target) or pa.types.is_float64(target):
        return r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
    if pa.types.is_date(target):
        return r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
    if pa.types.is_timestamp(target):
        return r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z?$"
    return None


def _failing_by_pattern(part: pa.ChunkedArray, target: pa.DataType, offset: int) -> list[int] | None:
    """The values of ``part`` that cannot be cast on their own, found without bisecting:
    the values a plain pattern does not vouch for are cast one by one, after the others cast
    together (which proves the pattern right for them). ``None`` when there is no pattern,
    too many values lack it, or the others do not cast after all: then bisect."""
    pattern = _safe_pattern(part.type, target)
    if pattern is None or len(part) == 0:
        return None
    vouched = pc.fill_null(pc.match_substring_regex(part, pattern), True)
    suspects = np.flatnonzero(~np.concatenate([c.to_numpy(zero_copy_only=False) for c in vouched.chunks]))
    if len(suspects) > _MAX_SUSPECTS:
        return None
    try:
        _cast_strict(part.filter(vouched), target)
    except CAST_ERRORS:
        return None
    bad = []
    for i in suspects.tolist():
        try:
            cast_array(part.slice(i, 1), target)
        except CAST_ERRORS:
            bad.append(offset + i)
    return bad


def _failing_parts(part: pa.ChunkedArray, target: pa.DataType, offset: int, checked: bool) -> list[int]:
    """Positions in ``part`` whose values cannot be cast on their own (``checked``: the part
    is known to fail :func:`cast_array`): halving its list of chunks (a group of files: its
    files), then within a chunk by :func:`_failing_positions`."""
    if not checked:
        try:
            cast_array(part, target)
            return []
        except CAST_ERRORS:
            pass
    if part.num_chunks <= 1:
        return _failing_positions(part.chunk(0), target, offset) if part.num_chunks else []
    half = part.num_chunks // 2
    left = pa.chunked_array(part.chunks[:half], part.type)
    right = pa.chunked_array(part.chunks[half:], part.type)
    return _failing_parts(left, target, offset, False) + _failing_parts(right, target, offset + len(left), False)


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
    except CAST_ERRORS:
        pass
    if len(arr) <= _BISECT_MIN:
        bad = []
        for i in range(len(arr)):
            try:
                cast_array(arr.slice(i, 1), target)
            except CAST_ERRORS:
                bad.append(offset + i)
        return bad
    mid = len(arr) // 2
    return _failing_positions(arr.slice(0, mid), target, offset) + _failing_positions(
        arr.slice(mid), target, offset + mid
    )
