"""Where suites get their batches: dbt's DuckDB file (read-only) and the Delta lake.

Both are queried with DuckDB into pandas. Queries over more than :data:`SAMPLE_ROWS` rows are
validated on a reproducible reservoir sample of that size (row counts are always exact: they
are queried separately), so a suite's cost does not grow with the lake.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from infra.settings import Settings
from lake.storage import LakeStorage

#: Batches larger than this are sampled (DESIGN: "sampled above a million rows").
SAMPLE_ROWS = 1_000_000
#: Seed of the reservoir sample (same rows every run of the same data).
SAMPLE_SEED = 42


@dataclass
class SuiteData:
    """Read access for one suite run; connections are opened lazily and closed by :meth:`close`."""

    settings: Settings
    sample_rows: int = SAMPLE_ROWS
    _dbt: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)
    _lake: duckdb.DuckDBPyConnection | None = field(default=None, repr=False)

    @property
    def storage(self) -> LakeStorage:
        return LakeStorage.from_settings(self.settings)

    def dbt(self) -> duckdb.DuckDBPyConnection:
        """Read-only connection to dbt's DuckDB file."""
        if self._dbt is None:
            path = Path(self.settings.dbt.duckdb_path)
            if not path.exists():
                raise FileNotFoundError(f"dbt's DuckDB file {path} does not exist: run the dbt models first")
            self._dbt = duckdb.connect(str(path), read_only=True)
            self._dbt.execute("SET TimeZone = 'UTC'")
        return self._dbt

    def lake(self) -> duckdb.DuckDBPyConnection:
        """In-memory DuckDB with every lake table as a view (``bronze.erp__sales_orders`` …)."""
        if self._lake is None:
            from lake.sql import connect

            self._lake = connect(self.storage)
            self._lake.execute("SET TimeZone = 'UTC'")
        return self._lake

    def frame(self, con: duckdb.DuckDBPyConnection, sql: str) -> tuple[Any, int]:
        """(pandas frame, exact row count) of ``sql``, sampled above ``sample_rows`` rows."""
        rows = int(con.execute(f"select count(*) from ({sql}) as counted").fetchall()[0][0])
        if rows > self.sample_rows:
            sql = (f"select * from ({sql}) as sampled using sample reservoir({self.sample_rows} rows) "
                   f"repeatable ({SAMPLE_SEED})")
        return con.execute(sql).df(), rows

    def dbt_frame(self, sql: str) -> tuple[Any, int]:
        """:meth:`frame` over dbt's DuckDB file."""
        return self.frame(self.dbt(), sql)

    def lake_frame(self, sql: str) -> tuple[Any, int]:
        """:meth:`frame` over the lake."""
        return self.frame(self.lake(), sql)

    def lake_has(self, relative: str) -> bool:
        """Whether the lake holds a Delta table at ``relative`` (``bronze/wms/movements``)."""
        from lake.tables import open_table

        return open_table(self.storage, relative) is not None

    def close(self) -> None:
        for con in (self._dbt, self._lake):
            if con is not None:
                con.close()
        self._dbt = self._lake = None


@contextmanager
def suite_data(settings: Settings, sample_rows: int = SAMPLE_ROWS) -> Iterator[SuiteData]:
    """A :class:`SuiteData` closed on exit."""
    data = SuiteData(settings, sample_rows)
    try:
        yield data
    finally:
        data.close()
