"""Bronze specs for ERP tables, derived from the ERP's own table definitions.

The ERP contract is its DDL (:mod:`pipelines.sources.erp.tables`): the primary key is the
merge key, ``updated_at`` is the change column, ``NOT NULL`` columns and those marked
``info={"required": True}`` (required by the business, not enforced by the legacy source)
are required. Types
map to the lake's conventions (``Numeric`` → ``decimal(18,4)``-style decimals, timestamps →
UTC microseconds, JSON → text).
"""

from __future__ import annotations

import pyarrow as pa
import sqlalchemy as sa

from lake.spec import EntitySpec

SOURCE = "erp"


def arrow_type(column_type: sa.types.TypeEngine) -> pa.DataType:
    """The lake type of an ERP column type."""
    t = column_type
    if isinstance(t, sa.Boolean):
        return pa.bool_()
    if isinstance(t, sa.Float):
        return pa.float64()
    if isinstance(t, sa.Numeric):
        precision = t.precision or 18
        scale = t.scale if t.scale is not None else 4
        return pa.decimal128(precision, scale)
    if isinstance(t, (sa.BigInteger, sa.Integer, sa.SmallInteger)):
        return pa.int64()
    if isinstance(t, sa.DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(t, sa.Date):
        return pa.date32()
    if isinstance(t, (sa.String, sa.Text, sa.Enum, sa.JSON)):
        return pa.string()
    if isinstance(t, sa.LargeBinary):
        return pa.binary()
    raise TypeError(f"no lake type for ERP column type {t!r}")


def spec_for_table(table: sa.Table, change_column: str = "updated_at") -> EntitySpec:
    """Build the bronze :class:`EntitySpec` of one ERP table."""
    fields = [pa.field(c.name, arrow_type(c.type)) for c in table.columns]
    key = tuple(c.name for c in table.primary_key.columns)
    required = tuple(
        c.name
        for c in table.columns
        if (not c.nullable or c.info.get("required")) and c.name not in key and c.name != change_column
    )
    return EntitySpec(
        source=SOURCE,
        entity=table.name,
        schema=pa.schema(fields),
        key=key,
        change_column=change_column if change_column in table.c else None,
        required=required,
        description=(table.comment or f"ERP table {table.name}").strip(),
    )


def erp_specs(metadata: sa.MetaData | None = None) -> list[EntitySpec]:
    """Specs of every ERP table (the simulator's DDL unless ``metadata`` is given)."""
    if metadata is None:
        from pipelines.sources.erp.tables import metadata as erp_metadata

        metadata = erp_metadata
    return [spec_for_table(t) for t in metadata.sorted_tables]
