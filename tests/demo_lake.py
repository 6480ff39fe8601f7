"""One small demo lake for every end-to-end test of the session (a pytest plugin).

The whole asset graph (demo group at scale 0.05 → bronze ingest → bronze suites → dbt build
→ mart suites → gold → ML → serving snapshot) runs **once per session**, in-process, in a
temporary GroupLake home (``demo_lake_built``); the tests then read its lake, dbt file and
Dagster instance, and some change it (a second run, injected bad rows restored afterwards, a
republication), so they run in one order on one xdist worker.

How to reuse it in a new end-to-end test (any package):

- take the ``demo_lake`` fixture (a :class:`DemoLake`): while the module that asked for it
  runs, the process environment points at the lake's home (``GROUPLAKE_HOME``,
  ``DAGSTER_HOME``, ``DEMO__SCALE``), so ``get_settings()``, ``grouplake sql`` and Dagster see it;
- read with ``demo_lake.sql(...)`` (gold/bronze through the lake), ``demo_lake.dbt_sql(...)``
  (dbt's file), ``demo_lake.check_record(asset, check)``; run (part of) the graph again with
  ``demo_lake.run(selection)``;
- leave the lake as you found it (restore a Delta table you wrote, see
  ``tests/dbt/test_bad_data.py``), or say in your docstring what you changed;
- the test is put in the ``demo_lake`` xdist group automatically (``pytest_collection_modifyitems``
  below) and runs after the tests collected before it: name the file so that it sorts where
  its state assumptions hold.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

SCALE = "0.05"
#: xdist group of every test using the demo lake: one worker builds it once and runs them in order.
GROUP = "demo_lake"
_FIXTURES = {"demo_lake", "demo_lake_built"}
_SETTINGS_PREFIXES = {"LAKE", "ERP", "CRM", "WMS", "IOT", "OLTP", "AUTH", "DBT", "MLFLOW",
                      "SERVING", "SERVICES", "DEMO"}
#: What the dbt asset exports into the environment during a run (restored afterwards).
_DBT_ENV = ("GROUPLAKE_LAKE_ROOT", "GROUPLAKE_DBT_DUCKDB_PATH", "GROUPLAKE_DBT_TARGET",
            "GROUPLAKE_GROUP_CURRENCY", "GROUPLAKE_AS_OF_DATE", "GROUPLAKE_DBT_THREADS")


@dataclass
class DemoLake:
    """The built demo lake and what the first run did."""

    home: Path
    settings: object  # infra.settings.Settings
    first_run: object  # grouplake.run.RunOutcome
    first_checks: dict[tuple[str, str], bool]  # (asset, check) -> passed, in the first run
    first_mart_rows: dict[str, int]  # rows of each dbt mart right after the first run
    first_quarantine: object  # pandas.DataFrame: gold.dq_sales_quarantine after the first run

    @contextlib.contextmanager
    def active(self) -> Iterator[DemoLake]:
        """Point the process environment (and so ``get_settings()``) at this lake's home."""
        with _environment(self.home):
            yield self

    def run(self, selection: str | None = None):
        """Run (part of) the asset graph again in this home."""
        from grouplake.run import run_graph

        return run_graph(selection)

    def sql(self, query: str):
        """Query the lake (``grouplake sql`` names) into pandas.

        Each query sees the lake's current snapshot, as a fresh ``grouplake sql`` would: the
        connection is kept between queries, and a table whose ``_delta_log`` changed since it
        was registered (a commit, a restore, a new or dropped table) is registered again
        through :func:`lake.sql.register_table`, the one reader path. Opening every table for
        every query cost about a second each time.
        """
        return _LakeConnection.of(self).refresh().con.execute(query).df()

    def dbt_sql(self, query: str):
        """Query dbt's DuckDB file (read-only) into pandas."""
        import duckdb

        with duckdb.connect(self.settings.dbt.duckdb_path, read_only=True) as con:
            return con.execute(query).df()

    def check_record(self, asset: str, check: str):
        """The latest evaluation of ``check`` on ``asset`` (``"dbt/customer_rfm"``)."""
        import dagster as dg

        key = dg.AssetCheckKey(dg.AssetKey(asset.split("/")), check)
        return dg.DagsterInstance.get().get_latest_asset_check_evaluation_record(key)


class _LakeConnection:
    """One in-memory DuckDB over a demo lake, tables re-registered when their log changes."""

    _open: ClassVar[dict[Path, _LakeConnection]] = {}

    def __init__(self, lake: DemoLake) -> None:
        import duckdb

        from lake.sql import LAYERS
        from lake.storage import LakeStorage

        self.storage = LakeStorage.from_settings(lake.settings)
        self.root = Path(self.storage.uri(""))
        self.con = duckdb.connect(":memory:")
        for layer in LAYERS:
            self.con.execute(f'CREATE SCHEMA IF NOT EXISTS "{layer}"')
        self.registered: dict[str, tuple[tuple[str, ...], list[str]]] = {}  # sql name -> (log, datasets)

    @classmethod
    def of(cls, lake: DemoLake) -> _LakeConnection:
        """The lake's connection (made on first use)."""
        if lake.home not in cls._open:
            cls._open[lake.home] = cls(lake)
        return cls._open[lake.home]

    def refresh(self) -> _LakeConnection:
        """Register what changed since the last query; drop what is gone."""
        from lake.sql import discover_tables, register_table
        from lake.tables import open_table

        seen = set()
        for table in discover_tables(self.storage):
            seen.add(table.sql_name)
            log = tuple(sorted(os.listdir(self.root / table.relative_path / "_delta_log")))
            known = self.registered.get(table.sql_name)
            if known is not None and known[0] == log:
                continue
            delta = open_table(self.storage, table.relative_path)
            if delta is None:
                continue
            names = register_table(self.con, f'"{table.layer}"."{table.name}"', delta,
                                   f"__lake_{table.layer}_{table.name}")
            for stale in set(known[1] if known else ()) - set(names):
                self.con.unregister(stale)
            self.registered[table.sql_name] = (log, names)
        for gone in set(self.registered) - seen:
            layer, name = gone.split(".", 1)
            self.con.execute(f'DROP VIEW IF EXISTS "{layer}"."{name}"')
            for stale in self.registered.pop(gone)[1]:
                self.con.unregister(stale)
        return self


@contextlib.contextmanager
def _environment(home: Path) -> Iterator[None]:
    from infra.settings import reset_settings_cache

    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if "__" in key and key.split("__")[0] in _SETTINGS_PREFIXES:
                patch.delenv(key, raising=False)
        patch.setenv("GROUPLAKE_HOME", str(home))
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.setenv("DEMO__SCALE", SCALE)
        patch.setenv("ENV", "local")
        for name in _DBT_ENV:
            patch.setenv(name, os.environ.get(name, ""))  # restored afterwards (the dbt asset sets them)
        reset_settings_cache()
        try:
            yield
        finally:
            reset_settings_cache()
    reset_settings_cache()


def _check_results(run_id: str) -> dict[tuple[str, str], bool]:
    import dagster as dg

    results = {}
    for entry in dg.DagsterInstance.get().all_logs(run_id):
        event = entry.dagster_event
        if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            results[(evaluation.asset_key.to_user_string(), evaluation.check_name)] = evaluation.passed
    return results


def _mart_rows(settings) -> dict[str, int]:
    import duckdb

    with duckdb.connect(settings.dbt.duckdb_path, read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()]
        return {name: con.execute(f"select count(*) from marts.{name}").fetchall()[0][0] for name in names}


@pytest.fixture(scope="session")
def demo_lake_built(tmp_path_factory: pytest.TempPathFactory) -> DemoLake:
    """The demo lake after one full ``grouplake run`` (slow: about a minute on an idle machine).

    The environment points at it only while it is built; use ``demo_lake`` (or
    ``demo_lake_built.active()``) to work in it.
    """
    from infra.settings import get_settings

    home = tmp_path_factory.mktemp("demo_lake") / "home"
    with _environment(home):
        from grouplake.run import run_graph

        outcome = run_graph(None)
        settings = get_settings()
        lake = DemoLake(home=home, settings=settings, first_run=outcome,
                        first_checks=_check_results(outcome.run_id), first_mart_rows=_mart_rows(settings),
                        first_quarantine=None)
        lake.first_quarantine = lake.sql("select * from gold.dq_sales_quarantine")
    return lake


@pytest.fixture(scope="module")
def demo_lake(demo_lake_built: DemoLake) -> Iterator[DemoLake]:
    """The session's demo lake, with the environment pointing at it for this module."""
    with demo_lake_built.active():
        yield demo_lake_built


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups (it suffixes node ids with them)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test on the demo lake joins one xdist group (one worker, one lake, collection order)."""
    for item in items:
        if _FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group(GROUP))
