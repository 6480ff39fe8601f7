"""Turn IoT events (JSON objects, one per line or per MQTT message) into a raw batch.

The clean path reads a whole JSON Lines file with Arrow's JSON reader; a file it cannot
read (a line that is not JSON, not UTF-8, or has a value of the wrong type) is read again
line by line, so only the bad lines are flagged. Such a line keeps its raw text (bytes
shown with backslash escapes) in a ``_raw_line`` column, which the quarantine record
keeps and the table never gets. An event whose ``kind`` is not its table's is flagged too.
``event_date`` (the UTC date of ``recorded_at``) is derived here; an event whose
timestamp does not parse gets none and validation quarantines it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from lake.spec import EntitySpec
from lake.validate import cast_array
from pipelines.ingest import RawBatch
from pipelines.sources.iot.specs import payload_columns

RAW_LINE = "_raw_line"
_TS = pa.timestamp("us", tz="UTC")


def _read_type(t: pa.DataType) -> pa.DataType:
    """How a declared type is read from JSON: timestamps as text, decimals as numbers."""
    if pa.types.is_timestamp(t):
        return pa.string()
    if pa.types.is_decimal(t):
        return pa.float64()
    return t


def _event_dates(recorded_at: pa.Array) -> pa.Array:
    """UTC date of each timestamp text (null where it does not parse)."""
    try:
        return pc.cast(cast_array(recorded_at, _TS), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        pass
    out: list[dt.date | None] = []
    for value in recorded_at.to_pylist():
        try:
            parsed = dt.datetime.fromisoformat(str(value).strip())
            parsed = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
            out.append(parsed.date())
        except (TypeError, ValueError):
            out.append(None)
    return pa.array(out, pa.date32())


def _kind_errors(kind: pa.Array, spec: EntitySpec, errors: dict[int, str]) -> None:
    if pa.types.is_null(kind.type):  # no kind at all: validation reports the missing value
        return
    if not pa.types.is_string(kind.type):
        kind = pa.array([None if v is None else str(v) for v in kind.to_pylist()], pa.string())
    wrong = pc.fill_null(pc.not_equal(kind, pa.scalar(spec.entity)), False)
    if pc.any(wrong).as_py():
        for pos in pc.indices_nonzero(wrong).to_pylist():
            errors.setdefault(pos, f"event kind {kind[pos].as_py()!r} does not belong in {spec.name}")


def _finish(columns: dict[str, pa.Array], spec: EntitySpec, errors: dict[int, str],
            raw_lines: list[str | None] | None, origin: str) -> RawBatch:
    n = len(next(iter(columns.values()))) if columns else 0
    _kind_errors(columns["kind"], spec, errors)
    columns["event_date"] = _event_dates(columns["recorded_at"])
    columns[RAW_LINE] = pa.array(raw_lines if raw_lines is not None else [None] * n, pa.string())
    return RawBatch(table=pa.table(columns), low=None, high=None, row_errors=errors, origin=origin)


def _fast_read(data: bytes, spec: EntitySpec) -> pa.Table | None:
    names = payload_columns(spec)
    schema = pa.schema([pa.field(n, _read_type(spec.schema.field(n).type)) for n in names])
    try:
        table = pajson.read_json(
            io.BytesIO(data),
            read_options=pajson.ReadOptions(block_size=1 << 20),
            parse_options=pajson.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore"),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return None
    return table.select(names)


def _column(values: list[object]) -> pa.Array:
    """One column of Python values as Arrow, keeping everything (mixed types become text)."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return pa.array([None if v is None else (v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                         for v in values], pa.string())


def events_to_batch(events: Iterable[tuple[bytes, str]], spec: EntitySpec, origin: str) -> RawBatch:
    """Parse events one by one: each item is (raw JSON bytes, where it came from for the reason).

    Args:
        events: raw payloads with a label (``line 12``, ``topic a/b/c``) used in reasons.
        spec: the kind's table.
        origin: recorded as the quarantine origin.
    """
    names = payload_columns(spec)
    values: dict[str, list[object]] = {n: [] for n in names}
    raws: list[str | None] = []
    errors: dict[int, str] = {}
    for pos, (payload, label) in enumerate(events):
        record: object = None
        problem = None
        try:
            text = payload.decode("utf-8")
        except UnicodeDecodeError:
            text = payload.decode("utf-8", errors="backslashreplace")
            problem = f"{label} is not valid UTF-8 (bytes shown with backslash escapes)"
        if problem is None:
            try:
                record = json.loads(text)
            except json.JSONDecodeError as exc:
                problem = f"{label} is not valid JSON: {exc.msg} at column {exc.colno}"
            else:
                if not isinstance(record, dict):
                    problem = f"{label} is not a JSON object"
        if problem is not None or not isinstance(record, dict):
            errors[pos] = problem or f"{label} is not a JSON object"
            raws.append(text.rstrip("\r\n"))
            for n in names:
                values[n].append(None)
            continue
        raws.append(None)
        for n in names:
            values[n].append(record.get(n))
    columns = {n: _column(v) for n, v in values.items()}
    if not raws:
        columns = {n: pa.array([], _read_type(spec.schema.field(n).type)) for n in names}
    return _finish(columns, spec, errors, raws, origin)


def parse_jsonl(data: bytes, spec: EntitySpec, origin: str) -> RawBatch:
    """Parse a JSON Lines drop of one kind (blank lines are skipped).

    Example:
        >>> from pipelines.sources.iot.specs import IOT_SPECS
        >>> line = b'{"event_id":"e1","kind":"temperature","device_id":"T1","recorded_at":"2026-01-01T00:00:00Z"}'
        >>> parse_jsonl(line + b"\\n", IOT_SPECS["temperature"], "f.jsonl").table.num_rows
        1
    """
    table = _fast_read(data, spec) if data.strip() else None
    if table is not None:
        columns = {n: table.column(n).combine_chunks() for n in table.column_names}
        return _finish(columns, spec, {}, None, origin)
    lines = [(raw, f"line {number}") for number, raw in enumerate(data.splitlines(), start=1) if raw.strip()]
    return events_to_batch(lines, spec, origin)
