"""Read one WMS export (CSV or Excel) into a raw batch without losing a byte of it.

Everything is read as text; validation casts it. What cannot be read cleanly is flagged
per row (``row_errors``) so the lake quarantines exactly those rows with the reason and
the rest of the file lands:

- a header that does not match the declared columns (renamed, missing or extra column):
  every row of the file is quarantined, each keeping its values under the file's own
  column names;
- a line that is not valid UTF-8: that line, its bytes shown with backslash escapes;
- a line with more or fewer fields than the header: that line, verbatim;
- text where a number or timestamp belongs: found by validation.

The raw text of a line that could not be split cleanly travels in a ``_raw_line`` column,
which validation keeps in the quarantine record and never lands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from lake.spec import EntitySpec
from pipelines.ingest import RawBatch
from pipelines.sources.shared.folder import DropFile
from pipelines.sources.wms.specs import PROVENANCE_COLUMNS, export_columns

RAW_LINE = "_raw_line"
_BOM = b"\xef\xbb\xbf"


class _Rows:
    """Rows read from a file: values by position, their line numbers and problems."""

    def __init__(self) -> None:
        self.values: list[list[str | None]] = []
        self.lines: list[int] = []
        self.raw: list[str | None] = []
        self.errors: dict[int, str] = {}

    def add(self, values: list[str | None], line: int, raw: str | None = None, error: str | None = None) -> None:
        if error is not None:
            self.errors[len(self.values)] = error
        self.values.append(values)
        self.lines.append(line)
        self.raw.append(raw)


def _physical_lines(data: bytes) -> tuple[list[str], set[int]]:
    """Decode line by line; returns (lines with their ends, 1-based numbers of non-UTF-8 lines)."""
    out: list[str] = []
    bad: set[int] = set()
    for number, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(raw.decode("utf-8", errors="backslashreplace"))
            bad.add(number)
    return out, bad


def read_csv(data: bytes) -> tuple[list[str] | None, _Rows, str | None]:
    """Split a CSV file into its header, its rows and a file-level problem (if any).

    The header is ``None`` for an empty file.
    """
    data = data.removeprefix(_BOM)
    bad: set[int] = set()
    try:
        text = data.decode("utf-8")
        physical: list[str] | None = None
        reader = csv.reader(io.StringIO(text, newline=""))
    except UnicodeDecodeError:
        text = None
        physical, bad = _physical_lines(data)
        reader = csv.reader(physical)
    rows = _Rows()
    header = next(reader, None)
    if header is None:
        return None, rows, None
    header_end = reader.line_num
    file_error = "the header line is not valid UTF-8" if bad & set(range(1, header_end + 1)) else None
    width = len(header)
    previous = header_end
    for fields in reader:
        start, end = previous + 1, reader.line_num
        previous = end
        if not fields:  # blank line
            continue
        problems = []
        if bad and any(start <= n <= end for n in bad):
            problems.append(f"line {start} is not valid UTF-8 (bytes shown with backslash escapes)")
        if len(fields) != width:
            problems.append(f"line {start} has {len(fields)} field(s), the header has {width}")
        raw = None
        if problems:
            if physical is None:
                physical = io.StringIO(text, newline="").readlines()
            raw = "".join(physical[start - 1 : end]).rstrip("\r\n")
        values = [v if v != "" else None for v in fields[:width]]
        values += [None] * (width - len(values))
        rows.add(values, start, raw, "; ".join(problems) if problems else None)
    return header, rows, file_error


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    text = str(value)
    return text if text != "" else None


def read_xlsx(data: bytes) -> tuple[list[str] | None, _Rows, str | None]:
    """The first worksheet of an Excel workbook as a header and rows of text."""
    import openpyxl

    rows = _Rows()
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is a file-level problem
        rows.add([], 1, f"<{len(data)} bytes>", f"not a readable Excel workbook: {type(exc).__name__}: {exc}")
        return [], rows, None
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            texts = [_cell_text(c) for c in cells]
            if all(t is None for t in texts):
                continue
            if header is None:
                header = [t or "" for t in texts]
                while header and header[-1] == "":
                    header.pop()
                continue
            width = len(header)
            extra = [t for t in texts[width:] if t is not None]
            values = (texts + [None] * width)[:width]
            if extra:
                rows.add(values, number, repr(texts), f"row {number} has values beyond the header's {width} columns")
            else:
                rows.add(values, number)
        return header, rows, None
    finally:
        book.close()


def _header_problems(header: list[str], spec: EntitySpec) -> tuple[list[str], str | None]:
    """Map header names to declared ones (case/space-insensitive); describe any mismatch."""
    declared = export_columns(spec)
    by_folded = {c.lower(): c for c in declared}
    names: list[str] = []
    unexpected: list[str] = []
    for position, raw_name in enumerate(header):
        name = raw_name.strip()
        mapped = by_folded.get(name.lower())
        if mapped is None or mapped in names:
            label = name or f"<column {position + 1}>"
            while label in names or label in PROVENANCE_COLUMNS or label == RAW_LINE or label in declared:
                label = f"{label}#{position + 1}"
            unexpected.append(name or f"<column {position + 1}>")
            names.append(label)
        else:
            names.append(mapped)
    missing = [c for c in declared if c not in names]
    if not unexpected and not missing:
        return names, None
    parts = []
    if missing:
        parts.append(f"missing {missing}")
    if unexpected:
        parts.append(f"unexpected {unexpected}")
    return names, "the file's header does not match the declared columns: " + ", ".join(parts)


def read_clean_csv(data: bytes) -> tuple[list[str], pa.Table] | None:
    """A plain CSV read by Arrow's reader in one pass, or ``None`` when it is not plain.

    Plain: UTF-8, ``\\n`` line ends, no quotes, no blank line, every row as wide as the
    header, distinct header names. Then row ``i`` is line ``i + 2`` and Arrow's values equal
    :func:`read_csv`'s (empty fields are nulls); anything else takes the line-by-line path.
    """
    body = data.removeprefix(_BOM)
    if not body or b'"' in body or b"\r" in body or b"\n\n" in body:
        return None
    first = body.split(b"\n", 1)[0]
    try:
        header = first.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    if len(set(header)) != len(header) or "" in header:
        return None
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            parse_options=pacsv.ParseOptions(quote_char=False),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in header},
                strings_can_be_null=True, null_values=[""],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    return header, table


def parse_export(f: DropFile, data: bytes, spec: EntitySpec, *, fast: bool = True) -> RawBatch:
    """Read a WMS export into a raw batch of text columns plus provenance.

    Args:
        f: the dropped file (name, drop time).
        data: its bytes.
        spec: the entity it feeds.
        fast: read plain CSV files with Arrow's reader (:func:`read_clean_csv`); the
            line-by-line reader gives the same batch.

    Returns:
        A :class:`~pipelines.ingest.RawBatch` with ``row_errors`` for rows that could not be
        read cleanly and ``origin`` = the file's path in the landing folder.
    """
    clean = read_clean_csv(data) if fast and f.suffix != ".xlsx" else None
    if clean is not None:
        header, table = clean
        names, header_error = _header_problems(header, spec)
        n = table.num_rows
        columns = dict(zip(names, table.columns, strict=True))
        columns["source_file"] = pa.repeat(pa.scalar(f.relative, pa.string()), n)
        columns["source_line"] = pa.array(np.arange(2, n + 2, dtype=np.int64))
        columns["dropped_at"] = pa.repeat(pa.scalar(f.modified_at, pa.timestamp("us", tz="UTC")), n)
        columns[RAW_LINE] = pa.nulls(n, pa.string())
        errors = dict.fromkeys(range(n), header_error) if header_error else {}
        return RawBatch(table=pa.table(columns), low=None, high=None, row_errors=errors, origin=f.relative)
    header, rows, file_error = read_xlsx(data) if f.suffix == ".xlsx" else read_csv(data)
    errors = dict(rows.errors)
    if header is None:  # an empty file: one quarantine record says so
        header = []
        rows.add([], 1, "", "empty file: no header line")
        errors = dict(rows.errors)
    names, header_error = _header_problems(header, spec) if header else (list(header), None)
    file_reasons = [r for r in (file_error, header_error) if r]
    if file_reasons:
        why = "; ".join(file_reasons)
        errors = {pos: (f"{errors[pos]}; {why}" if pos in errors else why) for pos in range(len(rows.values))}
    n = len(rows.values)
    columns: dict[str, pa.Array] = {}
    for i, name in enumerate(names):
        columns[name] = pa.array([r[i] if i < len(r) else None for r in rows.values], pa.string())
    columns["source_file"] = pa.array([f.relative] * n, pa.string())
    columns["source_line"] = pa.array(rows.lines, pa.int64())
    columns["dropped_at"] = pa.array([f.modified_at] * n, pa.timestamp("us", tz="UTC"))
    columns[RAW_LINE] = pa.array(rows.raw, pa.string())
    return RawBatch(table=pa.table(columns), low=None, high=None, row_errors=errors, origin=f.relative)
