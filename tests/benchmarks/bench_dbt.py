"""dbt build time per model at two scales, next to the same compiled SQL run directly in DuckDB.

For each scale: a demo lake's bronze tables are ingested (the real assets, in a temporary
GroupLake home), ``dbt build`` runs through the CLI with the project's profile, and
``run_results.json`` gives each model's compile and execute time (compile includes loading
its bronze source into dbt's DuckDB through the delta plugin). Then, on a copy of the built
DuckDB file, every SQL model's compiled SQL is run directly (``create or replace table/view
… as <compiled>``) in the same order, and the Python model's scoring is called directly on
the same input. Ratios are dbt / direct per model and for the whole build (dbt also runs
~200 data and unit tests and starts a process).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.dbt_direct import direct_seconds

SCALES = (0.25, 1.0)
#: The bronze tables the governed models read (the transactional outbox needs the service).
BRONZE = "key:bronze/erp/* or key:bronze/crm/* or key:bronze/wms/* or key:bronze/iot/*"


def _env(home: Path, scale: float) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "__" not in k}
    env.update({"GROUPLAKE_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
                "DEMO__SCALE": str(scale), "ENV": "local"})
    return env


def _ingest(home: Path, scale: float) -> float:
    """Generate the demo group and ingest every bronze table with the real assets (seconds)."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(Path(sys.executable).parent / "grouplake"), "run", "--select", BRONZE],
        env=_env(home, scale), capture_output=True, text=True, check=False,
    )
    if done.returncode != 0 and "step failed" in done.stdout:
        raise RuntimeError(f"bronze ingest failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def _dbt_build(home: Path, scale: float) -> tuple[float, dict[str, Any]]:
    """``dbt build`` through the CLI; (wall seconds, run_results)."""
    from infra.settings import Settings
    from lake.storage import LakeStorage
    from orchestration.dbt.assets import build_args, missing_sources
    from orchestration.dbt.project import dbt_env, dbt_executable, parse_manifest

    env = _env(home, scale)
    settings = Settings(_env_file=None, GROUPLAKE_HOME=str(home))  # the alias, not `home=`
    assert Path(settings.dbt.duckdb_path).is_relative_to(home), settings.dbt.duckdb_path
    target = home / "dbt" / "target"
    env.update(dbt_env(settings))
    env.update({"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)})
    project = settings.dbt.project_dir
    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    manifest = json.loads(parse_manifest(settings).read_text())
    args = build_args(missing_sources(manifest, LakeStorage.from_settings(settings)))
    started = time.perf_counter()
    done = subprocess.run([dbt_executable(), *args, "--project-dir", project, "--profiles-dir", project],
                          cwd=project, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"dbt build failed:\n{done.stdout[-4000:]}")
    return wall, json.loads((target / "run_results.json").read_text())


def _phase(result: dict[str, Any], name: str) -> float:
    for timing in result.get("timing", []):
        if timing["name"] == name and timing.get("started_at") and timing.get("completed_at"):
            from datetime import datetime

            start = datetime.fromisoformat(timing["started_at"])
            end = datetime.fromisoformat(timing["completed_at"])
            return (end - start).total_seconds()
    return 0.0


def _direct_python(con, node: dict[str, Any]) -> float:
    """The LTV Python model's work called directly on the same purchases."""
    import importlib.util

    import pandas as pd

    path = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "intermediate" / "customers" / \
        "int_customers__ltv_scored.py"
    spec = importlib.util.spec_from_file_location("ltv_model", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    started = time.perf_counter()
    orders = con.execute("select * from intermediate.int_sales_orders__converted").df()
    orders["order_amount_group"] = orders["order_amount_group"].astype("float64")
    orders["order_date"] = pd.to_datetime(orders["order_date"])
    module.score_all(orders, orders["order_date"].max(), 12, 0.01, 50, "sum_of_units")
    return time.perf_counter() - started


def bench_scale(scale: float) -> dict[str, Any]:
    """Ingest, build and compare at one scale."""
    home = Path(tempfile.mkdtemp(prefix=f"bench_dbt_{scale}_")) / "home"
    try:
        ingest_s = _ingest(home, scale)
        wall, run_results = _dbt_build(home, scale)
        manifest = json.loads((home / "dbt" / "target" / "manifest.json").read_text())
        duckdb_path = str(home / "dbt" / "grouplake.duckdb")
        direct = direct_seconds(duckdb_path, run_results, manifest, _direct_python)
        models: dict[str, Any] = {}
        tests_s = 0.0
        tests = 0
        for result in run_results["results"]:
            uid = result["unique_id"]
            if uid.startswith(("test.", "unit_test.")):
                tests += 1
                tests_s += result["execution_time"]
                continue
            name = uid.split(".")[-1]
            dbt_s = result["execution_time"]
            models[name] = {
                "dbt_s": round(dbt_s, 3),
                "dbt_compile_s": round(_phase(result, "compile"), 3),
                "dbt_execute_s": round(_phase(result, "execute"), 3),
                "direct_s": round(direct.get(name, 0.0), 3),
                "ratio": round(dbt_s / direct[name], 2) if direct.get(name) else None,
            }
        import duckdb

        with duckdb.connect(duckdb_path, read_only=True) as con:
            rows = {m: con.execute(f"select count(*) from marts.{m}").fetchall()[0][0]
                    for m in ("customer_rfm", "customer_ltv", "dq_sales_quarantine")}
            rows["sales_order_lines"] = con.execute("select count(*) from bronze_erp.sales_order_lines").fetchall()[0][0]
        models_s = sum(m["dbt_s"] for m in models.values())
        direct_s = sum(direct.values())
        return {
            "scale": scale,
            "rows": rows,
            "bronze_ingest_s": round(ingest_s, 1),
            "dbt_build_wall_s": round(wall, 2),
            "dbt_elapsed_s": round(run_results["elapsed_time"], 2),
            "dbt_models_s": round(models_s, 2),
            "dbt_tests": tests,
            "dbt_tests_s": round(tests_s, 2),
            "direct_sql_s": round(direct_s, 2),
            "models_ratio_dbt_over_direct": round(models_s / direct_s, 2) if direct_s else None,
            "build_ratio_wall_over_direct": round(wall / direct_s, 2) if direct_s else None,
            "slowest_models": sorted(((n, m["dbt_s"]) for n, m in models.items()), key=lambda kv: -kv[1])[:8],
            "models": models,
        }
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)


def run() -> dict[str, Any]:
    """Both scales (about 5 minutes on 2 cores)."""
    return {"scales": {str(scale): bench_scale(scale) for scale in SCALES},
            "load_average_at_end": os.getloadavg()}
