"""Validate a raw Spark DataFrame against an entity's declared schema, like the embedded path.

The casts run as Spark SQL (``try_cast`` under ANSI rules, plus guards where Spark is more
lenient than Arrow, e.g. ``'2026-1-1'`` is no date for Arrow, so it is none here either). A row
is bad when a value that was non-null became null by the cast, or its key or a required
column is null. Bad rows are few: they are collected to the driver, and their reasons are
written there with the embedded validator's exact wording and order
(:func:`lake.validate.validate_batch`), so ``bronze.quarantine`` reads the same
whichever engine landed the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from lake.spec import EntitySpec
from lake.validate import ValidationResult

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import Column, DataFrame

_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")
_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}$"
_INTEGER_TEXT = r"^-?\d+$"  # Arrow takes no leading "+" and no "12.0"
_TIMESTAMP_TEXT = (
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
CAST = "__cast__"
CAST_FAIL = "__castfail__"
IS_NULL = "__null__"
BAD = "__bad"


def spark_type(dtype: pa.DataType) -> str:
    """The Spark SQL type name of a lake (Arrow) type."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "string"
    if pa.types.is_integer(dtype):
        return "bigint" if dtype.bit_width == 64 else "int"
    if pa.types.is_floating(dtype):
        return "double" if dtype.bit_width == 64 else "float"
    if pa.types.is_boolean(dtype):
        return "boolean"
    if pa.types.is_decimal(dtype):
        return f"decimal({dtype.precision},{dtype.scale})"
    if pa.types.is_timestamp(dtype):
        return "timestamp"
    if pa.types.is_date(dtype):
        return "date"
    if pa.types.is_binary(dtype) or pa.types.is_large_binary(dtype):
        return "binary"
    raise TypeError(f"no Spark type for lake type {dtype}")


def cast_column(column: Column, source_type: str, target: pa.DataType) -> Column:
    """Spark expression casting ``column`` (of Spark type ``source_type``) to a lake type.

    Null where the value cannot be cast (the caller tells failures from real nulls).
    """
    from pyspark.sql import functions as F

    target_sql = spark_type(target)
    if source_type == target_sql:
        return column
    if source_type == "string":
        text = F.trim(column)
        if target_sql == "string":
            return column
        if pa.types.is_boolean(target):
            lowered = F.lower(text)
            return (
                F.when(lowered.isin(*_TRUE), F.lit(True))
                .when(lowered.isin(*_FALSE), F.lit(False))
                .otherwise(F.lit(None).cast("boolean"))
            )
        if pa.types.is_date(target):
            return F.when(column.rlike(_DATE_TEXT), column.try_cast("date"))  # Arrow: no trim
        if pa.types.is_timestamp(target):
            return F.when(text.rlike(_TIMESTAMP_TEXT), text.try_cast("timestamp"))
        if pa.types.is_integer(target):
            return F.when(text.rlike(_INTEGER_TEXT), text.try_cast(target_sql))
        return text.try_cast(target_sql)
    if pa.types.is_decimal(target) and (
        source_type in ("double", "float") or source_type.startswith("decimal")
    ):
        # round half to even at the target scale, as the embedded validator does
        return F.bround(column, target.scale).try_cast(target_sql)
    return column.try_cast(target_sql)


def flag_rows(raw: DataFrame, spec: EntitySpec) -> tuple[DataFrame, list[str]]:
    """Add, per declared column, its cast value and failure flags, and a ``__bad`` row flag.

    Args:
        raw: the raw rows (any Spark types; may carry bookkeeping columns such as ``__idx``).
        spec: the entity.

    Returns:
        ``(flagged, missing)``: ``flagged`` has every column of ``raw``, plus
        ``__cast__<name>`` per declared column, ``__castfail__<name>`` (non-null before,
        null after), ``__null__<name>`` for key and required columns, and ``__bad``;
        ``missing`` lists declared columns the source does not have.
    """
    from pyspark.sql import functions as F

    types = dict(raw.dtypes)
    missing = [f.name for f in spec.schema if f.name not in types]
    exprs: list[Column] = []
    fails: list[Column] = []
    for fld in spec.schema:
        if fld.name in missing:
            exprs.append(F.lit(None).cast(spark_type(fld.type)).alias(CAST + fld.name))
            exprs.append(F.lit(False).alias(CAST_FAIL + fld.name))
            continue
        source = F.col(f"`{fld.name}`")
        cast = cast_column(source, types[fld.name], fld.type)
        exprs.append(cast.alias(CAST + fld.name))
        exprs.append((source.isNotNull() & cast.isNull()).alias(CAST_FAIL + fld.name))
        fails.append(F.col(CAST_FAIL + fld.name))
    staged = raw.select("*", *exprs)
    nulls = [
        F.col(CAST + name).isNull().alias(IS_NULL + name) for name in (*spec.key, *spec.required)
    ]
    staged = staged.select("*", *nulls)
    bad = F.lit(bool(missing))
    for flag in [*fails, *(F.col(IS_NULL + n) for n in (*spec.key, *spec.required))]:
        bad = bad | flag
    return staged.withColumn(BAD, bad), missing


def reasons_for(row: dict[str, Any], spec: EntitySpec, missing: Sequence[str]) -> list[str]:
    """The reasons of one bad row, worded and ordered exactly as the embedded validator does."""
    reasons: list[str] = []
    if missing:
        reasons.append(f"missing column(s) {list(missing)}")
    for fld in spec.schema:
        if fld.name not in missing and row.get(CAST_FAIL + fld.name):
            reasons.append(f"column {fld.name!r}: cannot cast {row.get(fld.name)!r} to {fld.type}")
    for name in (*spec.key, *spec.required):
        if row.get(IS_NULL + name) and not any(name in r for r in reasons):
            kind = "key" if name in spec.key else "required column"
            reasons.append(f"{kind} {name!r} is null")
    return reasons


def collect_bad(
    flagged: DataFrame,
    spec: EntitySpec,
    raw_columns: Sequence[str],
    missing: Sequence[str],
    order_by: Sequence[str] = (),
    group_by: str | None = None,
) -> dict[Any, ValidationResult]:
    """Collect the bad rows (few) and build a :class:`ValidationResult` per group.

    Args:
        flagged: the output of :func:`flag_rows`.
        spec: the entity.
        raw_columns: the source's columns, in order, kept in each quarantined raw record.
        missing: declared columns the source lacks.
        order_by: columns giving the rows' order within a batch (quarantine ids count it).
        group_by: a column splitting the rows into batches (``None``: one group, key ``None``).

    Returns:
        ``{group: ValidationResult}`` with ``bad_rows`` / ``bad_reasons`` / ``bad_keys``
        filled (``good`` is an empty table: good rows stay in Spark).
    """
    flags = [c for c in flagged.columns if c.startswith((CAST_FAIL, IS_NULL))]
    extra = [c for c in (group_by, *order_by) if c is not None and c not in raw_columns]
    bad = flagged.filter(flagged[BAD]).select(*[f"`{c}`" for c in raw_columns], *flags, *extra)
    if order_by:
        bad = bad.orderBy(*order_by)
    table: pa.Table = bad.toArrow()
    results: dict[Any, ValidationResult] = {}
    empty = pa.Table.from_pylist([], schema=spec.schema)
    for row in table.to_pylist():
        group = row.get(group_by) if group_by else None
        result = results.setdefault(group, ValidationResult(good=empty))
        record = {c: row[c] for c in raw_columns}
        parts = [record.get(k) for k in spec.key]
        result.bad_rows.append(record)
        result.bad_reasons.append("; ".join(reasons_for(row, spec, missing)))
        result.bad_keys.append(None if any(p is None for p in parts) else "|".join(str(p) for p in parts))
    return results


def good_rows(flagged: DataFrame, spec: EntitySpec, extra: Sequence[str] = ()) -> DataFrame:
    """The rows that passed: declared columns cast and named as declared, then ``extra``."""
    from pyspark.sql import functions as F

    return flagged.filter(~F.col(BAD)).select(
        *[F.col(CAST + f.name).alias(f.name) for f in spec.schema], *extra
    )
