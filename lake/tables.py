"""Open and read Delta tables safely.

delta-rs's own ``to_pyarrow_table`` with the default filesystem can abort the interpreter at
exit (see STACK_NOTES); every read in the project goes through these helpers, which use a
pyarrow dataset over the table's current files with an explicit filesystem.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
from deltalake import DeltaTable

from lake.storage import LakeStorage


def open_table(storage: LakeStorage, relative: str, version: int | None = None) -> DeltaTable | None:
    """Open the Delta table at ``relative`` below the lake root, or ``None`` if absent."""
    uri = storage.uri(relative)
    if not DeltaTable.is_deltatable(uri, storage_options=storage.delta_options()):
        return None
    return DeltaTable(uri, version=version, storage_options=storage.delta_options())


def dataset(table: DeltaTable) -> pads.Dataset:
    """A pyarrow dataset over the table's current snapshot (partition columns included)."""
    uri = table.table_uri
    if "://" not in uri or uri.startswith("file://"):
        root = uri.removeprefix("file://")
        fs = pafs.SubTreeFileSystem(root, pafs.LocalFileSystem())
        return table.to_pyarrow_dataset(filesystem=fs)
    return table.to_pyarrow_dataset()


def read_columns(table: DeltaTable, columns: Sequence[str] | None = None, filter=None) -> pa.Table:
    """Read ``columns`` of the current snapshot into memory, keeping the rows matching ``filter``.

    Files written by a Delta ``MERGE`` hold ``string_view`` columns; pyarrow cannot compare
    them with a filter's string literal inside the scan (``equal`` has no kernel for
    ``(string, string_view)``, and ``k >= 'a' and k <= 'a'`` simplifies to ``k == 'a'``).
    Such a scan is read again without the filter, which is then applied to the cast result.
    """
    data = dataset(table)
    wanted = list(columns) if columns else None
    try:
        return data.to_table(columns=wanted, filter=filter)
    except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
        if filter is None:
            raise
    try:
        return data.to_table(columns=wanted).filter(filter)
    except pa.ArrowInvalid:  # the filter uses a column outside ``columns``
        rows = data.to_table().filter(filter)
        return rows.select(wanted) if wanted else rows


def read_table(storage: LakeStorage, relative: str, columns: Sequence[str] | None = None) -> pa.Table:
    """Read a whole lake table (or some columns); an absent table raises ``FileNotFoundError``."""
    table = open_table(storage, relative)
    if table is None:
        raise FileNotFoundError(f"no Delta table at {storage.uri(relative)}")
    return read_columns(table, columns)
