"""Bronze specs of the WMS exports, and which file feeds which entity.

The WMS drops two kinds of files (``demo/wms_files.py`` writes them):

- ``movements_<warehouse>_<from>_<to>.csv``: stock movements, keyed by ``movement_id``;
- ``stock_<warehouse>_<date>.csv``: on-hand snapshots, keyed by the natural key
  ``(snapshot_date, warehouse_code, sku, bin)``.

A file has no change timestamp of its own rows, so the connector adds where each row came
from: ``source_file``, ``source_line`` (1-based, the header is line 1) and ``dropped_at``
(when the file was dropped: its modification time). ``dropped_at`` is the change column:
a corrected export dropped later under the same name replaces the rows it repeats, an old
one never overwrites a newer one.
"""

from __future__ import annotations

import fnmatch

import pyarrow as pa

from lake.spec import EntitySpec
from pipelines.sources.shared.folder import DropFile

SOURCE = "wms"
_TS = pa.timestamp("us", tz="UTC")
_QTY = pa.decimal128(18, 4)

#: columns the connector adds to every row (not in the export).
PROVENANCE_FIELDS = (
    pa.field("source_file", pa.string()),
    pa.field("source_line", pa.int64()),
    pa.field("dropped_at", _TS),
)
PROVENANCE_COLUMNS = tuple(f.name for f in PROVENANCE_FIELDS)

#: file extensions the connector reads.
SUFFIXES = (".csv", ".xlsx")

MOVEMENTS = EntitySpec(
    source=SOURCE,
    entity="movements",
    schema=pa.schema([
        pa.field("movement_id", pa.string()),
        pa.field("warehouse_code", pa.string()),
        pa.field("sku", pa.string()),
        pa.field("bin", pa.string()),
        pa.field("movement_type", pa.string()),
        pa.field("quantity", _QTY),
        pa.field("uom", pa.string()),
        pa.field("reference_type", pa.string()),
        pa.field("reference_id", pa.string()),
        pa.field("moved_at", _TS),
        pa.field("operator", pa.string()),
        *PROVENANCE_FIELDS,
    ]),
    key=("movement_id",),
    change_column="dropped_at",
    required=("warehouse_code", "sku", "movement_type", "quantity", "uom", "moved_at"),
    description="WMS stock movements (signed quantity: + into stock, - out), one row per movement.",
)

STOCK_SNAPSHOTS = EntitySpec(
    source=SOURCE,
    entity="stock_snapshots",
    schema=pa.schema([
        pa.field("snapshot_date", pa.date32()),
        pa.field("warehouse_code", pa.string()),
        pa.field("sku", pa.string()),
        pa.field("bin", pa.string()),
        pa.field("quantity_on_hand", _QTY),
        pa.field("uom", pa.string()),
        *PROVENANCE_FIELDS,
    ]),
    key=("snapshot_date", "warehouse_code", "sku", "bin"),
    change_column="dropped_at",
    required=("quantity_on_hand", "uom"),
    description="WMS stock on hand at the end of a day, per warehouse, SKU and bin.",
)

#: file-name patterns (of the base name, extension excluded) per entity.
FILE_PATTERNS: dict[str, tuple[str, ...]] = {
    "movements": ("movements_*", "movements"),
    "stock_snapshots": ("stock_*", "stock"),
}


def wms_specs() -> list[EntitySpec]:
    """Every WMS entity."""
    return [MOVEMENTS, STOCK_SNAPSHOTS]


def export_columns(spec: EntitySpec) -> list[str]:
    """The columns an export file of ``spec`` must have (the declared ones minus provenance)."""
    return [n for n in spec.schema.names if n not in PROVENANCE_COLUMNS]


def entity_of(f: DropFile) -> str | None:
    """The entity a dropped file feeds, from its name; ``None`` when it matches none.

    Example:
        >>> import datetime as dt
        >>> entity_of(DropFile("stock/stock_COAL-001_20250131.csv", 10, dt.datetime.now(dt.UTC)))
        'stock_snapshots'
    """
    if f.suffix not in SUFFIXES:
        return None
    stem = f.name[: -len(f.suffix)].lower()
    for entity, patterns in FILE_PATTERNS.items():
        if any(fnmatch.fnmatchcase(stem, p) for p in patterns):
            return entity
    return None
