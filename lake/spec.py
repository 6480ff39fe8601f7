"""What a lake table is: its place, key, change column and declared schema.

An :class:`EntitySpec` is the contract between a source connector and the lake. Connectors
declare one per entity; the writer, the validator, Dagster assets and ``grouplake sql`` all
read the same object, so a table's key or schema is written down exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

#: Columns every bronze row carries besides the source's own.
LINEAGE_FIELDS: tuple[pa.Field, ...] = (
    pa.field("_source", pa.string(), nullable=False),
    pa.field("_batch_id", pa.string(), nullable=False),
    pa.field("_ingested_at", pa.timestamp("us", tz="UTC"), nullable=False),
)
LINEAGE_COLUMNS = tuple(f.name for f in LINEAGE_FIELDS)


@dataclass(frozen=True)
class EntitySpec:
    """One lake table fed by one source entity.

    Args:
        source: source system name (``erp``, ``crm``, ``wms``, ``iot``, ``tx``).
        entity: entity name within the source (``purchase_orders``).
        schema: the declared Arrow schema of the source columns (lineage columns excluded).
        key: the source's own key columns; rows merge by them.
        change_column: the source's change timestamp (or sequence); a row replaces the stored
            one only when this is strictly newer. ``None`` for immutable event streams.
        required: columns that must be non-null besides the key (rows violating it are
            quarantined).
        partition_by: Delta partition columns (telemetry partitions by date).
        layer: lake layer, ``bronze`` for ingested data.
        description: one line for the Dagster UI and the SQL catalog.
    """

    source: str
    entity: str
    schema: pa.Schema
    key: tuple[str, ...]
    change_column: str | None = "updated_at"
    required: tuple[str, ...] = ()
    partition_by: tuple[str, ...] = ()
    layer: str = "bronze"
    description: str = ""
    owners: tuple[str, ...] = field(default_factory=lambda: ("team:data-platform",))

    def __post_init__(self) -> None:
        names = set(self.schema.names)
        missing = [c for c in (*self.key, *self.required, *self.partition_by) if c not in names]
        if self.change_column is not None and self.change_column not in names:
            missing.append(self.change_column)
        if missing:
            raise ValueError(f"{self.name}: columns {missing} are not in the declared schema")
        if not self.key:
            raise ValueError(f"{self.name}: a lake table needs a key")

    @property
    def name(self) -> str:
        """``source.entity``, e.g. ``erp.purchase_orders``."""
        return f"{self.source}.{self.entity}"

    @property
    def relative_path(self) -> str:
        """Path below the lake root: ``bronze/erp/purchase_orders``."""
        return f"{self.layer}/{self.source}/{self.entity}"

    @property
    def sql_name(self) -> str:
        """Name in ``grouplake sql``: ``bronze.erp__purchase_orders``."""
        return f"{self.layer}.{self.source}__{self.entity}"

    @property
    def asset_key(self) -> list[str]:
        """Dagster asset key path, mirroring storage."""
        return [self.layer, self.source, self.entity]

    @property
    def lake_schema(self) -> pa.Schema:
        """Schema of the stored table: source columns then lineage columns."""
        return pa.schema([*self.schema, *LINEAGE_FIELDS])
