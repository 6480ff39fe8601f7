"""Validate a raw batch against its declared schema, row by row, without losing a row.

Sources hand over Arrow tables whose columns may be loosely typed (SQLite returns text in
a numeric column, CSV files are all text). :func:`validate_batch` casts every column to
the declared type with vectorised Arrow kernels; only when a column fails does it bisect
the column to find the offending rows, so the clean path costs one cast per column. Rows
that cannot be cast, lack their key or a required value, or were flagged by the connector
(an undecodable byte sequence, say) become quarantine records carrying the reason and the
raw values; every other row of the batch goes on.

Columns are cast as the chunked arrays they arrive in (a group of files: one chunk per
file), so no raw column is copied first, and only failing windows and chunks are searched
for bad values (:mod:`lake.casts`). The bad rows stay an Arrow table (``ValidationResult.bad_table``) until a caller asks
for dicts; the quarantine writes their JSON column by column (:mod:`lake.records`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lake.casts import cast_array, cast_column
from lake.records import raw_record_json, record_keys, records_json
from lake.spec import EntitySpec

__all__ = ["ValidationResult", "cast_array", "raw_record_json", "validate_batch"]

_MAX_SLICES = 256


class ValidationResult:
    """The outcome of validating one batch.

    Attributes:
        good: rows that passed, cast to the declared schema.
        bad_rows: raw records of the rows that failed (JSON-ready dicts).
        bad_reasons: one reason string per bad row (same order as ``bad_rows``).
        bad_keys: the source key of each bad row when it could be read, else ``None``.
        bad_table: the raw bad rows as an Arrow table, as :func:`validate_batch` leaves them;
            ``bad_rows`` is built from it on first use (from then on the list is the truth and
            ``bad_table`` is ``None``), so quarantining never needs one dict per row.
    """

    def __init__(
        self,
        good: pa.Table,
        bad_rows: list[dict] | None = None,
        bad_reasons: list[str] | None = None,
        bad_keys: list[str | None] | None = None,
        *,
        bad_table: pa.Table | None = None,
    ) -> None:
        self.good = good
        self.bad_table = bad_table if bad_rows is None else None
        self._bad_rows = bad_rows if bad_rows is not None or bad_table is not None else []
        self.bad_reasons = bad_reasons if bad_reasons is not None else []
        self.bad_keys = bad_keys if bad_keys is not None else []

    @property
    def bad_rows(self) -> list[dict]:
        """Raw records of the bad rows (JSON-ready dicts), built from ``bad_table`` on first use."""
        if self._bad_rows is None:
            self._bad_rows = self.bad_table.to_pylist() if self.bad_table is not None else []
            self.bad_table = None
        return self._bad_rows

    @bad_rows.setter
    def bad_rows(self, rows: list[dict]) -> None:
        self._bad_rows = rows
        self.bad_table = None

    @property
    def quarantined(self) -> int:
        """How many rows failed."""
        return self.bad_table.num_rows if self.bad_table is not None else len(self._bad_rows or [])

    def raw_records_json(self) -> list[str]:
        """The JSON text of each bad row's raw record (see :func:`raw_record_json`)."""
        if self.bad_table is not None:
            return records_json(self.bad_table)
        return [raw_record_json(r) for r in self.bad_rows]

    def __repr__(self) -> str:
        return f"ValidationResult(good={self.good.num_rows} rows, quarantined={self.quarantined})"


def _rows(table: pa.Table, mask: np.ndarray) -> pa.Table:
    """The rows of ``table`` where ``mask`` holds, in order.

    Bad rows are few, or come in runs (a whole file): the kept rows are then a handful of
    runs, taken as zero-copy slices instead of filtering (copying) every column.
    """
    edges = np.flatnonzero(np.diff(mask.astype(np.int8), prepend=0, append=0))
    starts, stops = edges[0::2].tolist(), edges[1::2].tolist()
    if not starts:
        return table.slice(0, 0)
    if len(starts) > _MAX_SLICES:
        return table.filter(pa.array(mask))
    return pa.concat_tables([table.slice(a, b - a) for a, b in zip(starts, stops, strict=True)])


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
        >>> from lake.spec import EntitySpec
        >>> spec = EntitySpec("erp", "t", pa.schema([("id", pa.string()), ("qty", pa.int64()),
        ...     ("updated_at", pa.timestamp("us", tz="UTC"))]), key=("id",))
        >>> raw = pa.table({"id": ["a", "b"], "qty": ["1", "x"],
        ...     "updated_at": ["2026-01-01 00:00:00", "2026-01-01 00:00:00"]})
        >>> r = validate_batch(raw, spec)
        >>> r.good.num_rows, r.bad_reasons
        (1, ["column 'qty': cannot cast 'x' to int64"])
    """
    n = table.num_rows
    reasons: dict[int, list[str]] = {pos: [reason] for pos, reason in (row_errors or {}).items()}

    missing_columns = [name for name in spec.schema.names if name not in table.column_names]
    if missing_columns and n:
        why = f"missing column(s) {missing_columns}"
        for pos in range(n):
            reasons.setdefault(pos, []).append(why)

    columns: dict[str, pa.Array | pa.ChunkedArray] = {}
    for fld in spec.schema:
        if fld.name in missing_columns:
            columns[fld.name] = pa.nulls(n, fld.type)
            continue
        column = table.column(fld.name)  # cast chunk by chunk: no copy of the raw column
        # cast the castable values, null out the rest (those rows are quarantined anyway)
        columns[fld.name], bad_positions = cast_column(column, fld.type)
        for pos in bad_positions:
            shown = column[pos].as_py()
            reasons.setdefault(pos, []).append(
                f"column {fld.name!r}: cannot cast {shown!r} to {fld.type}"
            )

    for name in (*spec.key, *spec.required):
        nulls = pc.is_null(columns[name])
        if pc.any(nulls).as_py():
            if isinstance(nulls, pa.ChunkedArray):
                nulls = nulls.combine_chunks()
            for pos in pc.indices_nonzero(nulls).to_pylist():
                if not any(name in r for r in reasons.get(pos, [])):
                    kind = "key" if name in spec.key else "required column"
                    reasons.setdefault(pos, []).append(f"{kind} {name!r} is null")

    typed = pa.Table.from_arrays([columns[f.name] for f in spec.schema], schema=spec.schema)
    if not reasons:
        return ValidationResult(good=typed)

    bad_positions = sorted(reasons)
    bad = np.zeros(n, dtype=bool)
    bad[bad_positions] = True
    good = _rows(typed, ~bad)
    raw_bad = _rows(table, bad)
    return ValidationResult(
        good=good,
        bad_reasons=["; ".join(reasons[pos]) for pos in bad_positions],
        bad_keys=record_keys(raw_bad, spec.key),
        bad_table=raw_bad,
    )
