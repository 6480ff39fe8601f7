"""SQL on the lake: an in-memory DuckDB with every Delta table as a view.

Tables are discovered from their ``_delta_log`` folders and named after their place:
``<lake>/bronze/erp/purchase_orders`` is ``bronze.erp__purchase_orders``,
``<lake>/bronze/quarantine`` is ``bronze.quarantine``, ``<lake>/gold/customer_rfm`` is
``gold.customer_rfm``. Each view scans the table's current snapshot through pyarrow
datasets (projection and filters pushed down), so analysts never open dbt's DuckDB file and
never block, or are blocked by, a run.

:func:`register_table` is the one way a Delta table enters DuckDB (``grouplake sql``, the
expectations, the ML features, the serving snapshot build): one registered dataset per
set of physical column types (:func:`lake.tables.snapshot_parts`) under a ``UNION ALL``
view, so DuckDB's filter pushdown works on files a ``MERGE`` wrote with ``string_view``
columns as on the others (DuckDB reads both as ``VARCHAR``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # pyarrow (lake.storage, lake.tables) costs a second: imported where used
    import pyarrow.fs as pafs
    from deltalake import DeltaTable

    from lake.storage import LakeStorage

LAYERS = ("bronze", "silver", "gold")

#: A query that looks at the catalogue itself (DuckDB does not list these among its tables)
#: gets every lake table.
_CATALOGUE = re.compile(r"information_schema|pg_catalog|\bduckdb_\w+|\bsqlite_master\b", re.IGNORECASE)


@dataclass(frozen=True)
class LakeTable:
    """A discovered lake table."""

    sql_name: str  # layer.name
    relative_path: str

    @property
    def layer(self) -> str:
        return self.sql_name.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.sql_name.split(".", 1)[1]


def _list_dirs(fs: pafs.FileSystem, path: str) -> list[str]:
    import pyarrow.fs as pafs

    try:
        infos = fs.get_file_info(pafs.FileSelector(path, allow_not_found=True))
    except (FileNotFoundError, OSError):
        return []
    return sorted(i.base_name for i in infos if i.type == pafs.FileType.Directory)


def discover_tables(storage: LakeStorage) -> list[LakeTable]:
    """Every Delta table under the lake's layers, sorted by SQL name."""
    fs, root = storage.filesystem()
    root = root.rstrip("/")
    found: list[LakeTable] = []
    for layer in LAYERS:
        for first in _list_dirs(fs, f"{root}/{layer}"):
            first_dirs = _list_dirs(fs, f"{root}/{layer}/{first}")
            if "_delta_log" in first_dirs:
                found.append(LakeTable(f"{layer}.{first}", f"{layer}/{first}"))
                continue
            for second in first_dirs:
                if "_delta_log" in _list_dirs(fs, f"{root}/{layer}/{first}/{second}"):
                    found.append(LakeTable(f"{layer}.{first}__{second}", f"{layer}/{first}/{second}"))
    return sorted(found, key=lambda t: t.sql_name)


def tables_read_by(query: str) -> frozenset[str] | None:
    """The bare table names ``query`` reads (``customer_rfm`` for ``gold.customer_rfm``), or
    None when it may need every table: it does not parse (the error is DuckDB's to report
    when it runs) or it asks the catalogue (``information_schema.tables``, ``SHOW TABLES`` …).

    Example:
        >>> sorted(tables_read_by("select * from gold.customer_rfm r join customer_ltv using (id)"))
        ['customer_ltv', 'customer_rfm']
        >>> tables_read_by("select 1")
        frozenset()
    """
    if query.lstrip().lower().startswith(("show", "describe", "summarize", "pragma")) or _CATALOGUE.search(query):
        return None
    try:
        return frozenset(duckdb.get_table_names(query, qualified=False))
    except duckdb.Error:
        return None


def connect(storage: LakeStorage | None, con: duckdb.DuckDBPyConnection | None = None, *,
            names: Collection[str] | None = None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with the lake's tables registered as views.

    ``names`` (bare table names, as :func:`tables_read_by` gives them) registers only the tables
    of those names, in whichever layer: a one-line query opens only the tables it reads, and
    ``select 1`` opens none (``grouplake sql`` start-up; ``storage`` may then be None, so the
    lake's file system is never set up). None registers every table.

    Example:
        >>> from infra.settings import get_settings
        >>> con = connect(LakeStorage.from_settings(get_settings()))  # doctest: +SKIP
        >>> con.sql("select count(*) from bronze.erp__vendors").fetchone()  # doctest: +SKIP
        (1204,)
    """
    con = con or duckdb.connect(":memory:")
    for layer in LAYERS:
        con.execute(f'CREATE SCHEMA IF NOT EXISTS "{layer}"')
    if names is not None and not names:
        return con
    if storage is None:
        raise ValueError("connect: storage is needed to register lake tables")
    from lake.tables import open_table

    for table in discover_tables(storage):
        if names is not None and table.name not in names:
            continue
        delta = open_table(storage, table.relative_path)
        if delta is None:
            continue
        register_table(con, f'"{table.layer}"."{table.name}"', delta, f"__lake_{table.layer}_{table.name}")
    return con


def register_table(con: duckdb.DuckDBPyConnection, view: str, table: DeltaTable, prefix: str) -> list[str]:
    """Make the current snapshot of ``table`` queryable on ``con`` as the view ``view``.

    Args:
        con: the DuckDB connection.
        view: the view's (quoted, possibly schema-qualified) SQL name.
        table: the Delta table.
        prefix: name of the registered datasets (``prefix``, ``prefix__1`` …).

    Returns:
        The names registered on ``con`` (to ``con.unregister`` after dropping the view).

    Example:
        >>> register_table(con, '"bronze"."wms__movements"', delta, "__movements")  # doctest: +SKIP
        ['__movements', '__movements__1']
    """
    from lake.tables import snapshot_parts

    names = []
    for position, part in enumerate(snapshot_parts(table)):
        name = prefix if position == 0 else f"{prefix}__{position}"
        con.register(name, part)
        names.append(name)
    union = " UNION ALL ".join(f'SELECT * FROM "{name}"' for name in names)
    con.execute(f"CREATE OR REPLACE VIEW {view} AS {union}")
    return names
