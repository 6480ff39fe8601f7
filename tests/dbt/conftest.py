"""One small demo lake for the dbt / gold / expectations end-to-end tests of this package.

The whole asset graph (demo group at scale 0.05 → bronze ingest → bronze suites → dbt build
→ mart suites → gold) runs once, in-process, in a temporary GroupLake home; the tests then
read its lake, dbt file and Dagster instance. Package-scoped: the environment it sets is
restored when this package's tests are done.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SCALE = "0.05"
_SETTINGS_PREFIXES = {"LAKE", "ERP", "CRM", "WMS", "IOT", "OLTP", "AUTH", "DBT", "MLFLOW",
                      "SERVING", "SERVICES", "DEMO"}


@dataclass
class DemoLake:
    """The built demo lake and what the first run did."""

    home: Path
    settings: object  # infra.settings.Settings
    first_run: object  # grouplake.run.RunOutcome
    first_checks: dict[tuple[str, str], bool]  # (asset, check) -> passed, in the first run
    first_mart_rows: dict[str, int]  # rows of each dbt mart right after the first run
    first_quarantine: object  # pandas.DataFrame: gold.dq_sales_quarantine after the first run

    def run(self, selection: str | None = None):
        """Run (part of) the asset graph again in this home."""
        from grouplake.run import run_graph

        return run_graph(selection)

    def sql(self, query: str):
        """Query the lake (``grouplake sql`` names) into pandas."""
        from lake.sql import connect
        from lake.storage import LakeStorage

        con = connect(LakeStorage.from_settings(self.settings))
        try:
            return con.execute(query).df()
        finally:
            con.close()

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


@pytest.fixture(scope="package")
def demo_lake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoLake]:
    """The demo lake after one full ``grouplake run`` (slow: about a minute)."""
    from infra.settings import get_settings, reset_settings_cache

    home = tmp_path_factory.mktemp("dbt_demo") / "home"
    with pytest.MonkeyPatch.context() as patch:
        for key in list(os.environ):
            if "__" in key and key.split("__")[0] in _SETTINGS_PREFIXES:
                patch.delenv(key, raising=False)
        patch.setenv("GROUPLAKE_HOME", str(home))
        patch.setenv("DAGSTER_HOME", str(home / "dagster"))
        patch.setenv("DEMO__SCALE", SCALE)
        patch.setenv("ENV", "local")
        for name in ("GROUPLAKE_LAKE_ROOT", "GROUPLAKE_DBT_DUCKDB_PATH", "GROUPLAKE_DBT_TARGET",
                     "GROUPLAKE_GROUP_CURRENCY", "GROUPLAKE_AS_OF_DATE"):
            patch.setenv(name, os.environ.get(name, ""))  # restored afterwards (the dbt asset sets them)
        reset_settings_cache()
        from grouplake.run import run_graph

        outcome = run_graph(None)
        settings = get_settings()
        lake = DemoLake(home=home, settings=settings, first_run=outcome,
                        first_checks=_check_results(outcome.run_id), first_mart_rows=_mart_rows(settings),
                        first_quarantine=None)
        lake.first_quarantine = lake.sql("select * from gold.dq_sales_quarantine")
        yield lake
    reset_settings_cache()
