"""dbt build time per model at two scales, next to the same compiled SQL run directly in DuckDB.

For each scale: a demo lake's bronze tables are ingested (the real assets, in a temporary
GroupLake home) and ``dbt build`` runs once untimed (it builds the file and compiles the SQL
the anchor runs). Then two sides, interleaved per round (harness, order rotating; **warm**:
both run on a built file, the OS cache holds the bronze tables):

* ``dbt``: ``dbt build`` through the CLI with the project's profile (a fresh dbt process per
  round); ``run_results.json`` gives each model's compile and execute time (compile includes
  loading its bronze source into dbt's DuckDB through the delta plugin);
* ``direct`` (the anchor): on a copy of the built DuckDB file, every SQL model's compiled SQL
  run directly (``create or replace table/view … as <compiled>``) in the same order, and the
  Python model's scoring called directly on the same input.

Ratios per round (median with min–max; > 1 means dbt is slower): ``models_ratio_dbt_over_direct``
= the models' dbt execution time ÷ direct, ``build_ratio_wall_over_direct`` = the whole
``dbt build`` wall time (process start, ~200 data and unit tests included) ÷ direct. Per model:
medians over rounds.

Run: ``make bench BENCH=dbt`` (``BENCH_QUICK=1``: scale 0.05, 2 rounds).
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

from tests.benchmarks import harness
from tests.benchmarks.dbt_direct import direct_seconds

SCALES = harness.by_mode((0.25, 1.0), (0.05,))
ROUNDS = harness.rounds(5, quick=2)
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
    from dbt_project.runner import dbt_env, dbt_executable, parse_manifest
    from infra.settings import Settings
    from lake.storage import LakeStorage
    from orchestration.dbt.assets import build_args, missing_sources

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


RATIOS = {
    "models_ratio_dbt_over_direct": harness.metric_ratio("models_s", "dbt", "direct"),
    "build_ratio_wall_over_direct": harness.metric_ratio("seconds", "dbt", "direct"),
}


def bench_scale(scale: float) -> dict[str, Any]:
    """Ingest, build once, then compare dbt and direct SQL over interleaved rounds."""
    home = Path(tempfile.mkdtemp(prefix=f"bench_dbt_{scale}_")) / "home"
    try:
        ingest_s = _ingest(home, scale)
        _, first_results = _dbt_build(home, scale)  # untimed: the file and the compiled SQL
        manifest = json.loads((home / "dbt" / "target" / "manifest.json").read_text())
        duckdb_path = str(home / "dbt" / "grouplake.duckdb")

        def dbt(number: int) -> harness.Sample:
            wall, run_results = _dbt_build(home, scale)
            models, tests = _split(run_results)
            return harness.Sample(wall, metrics={
                "models_s": sum(m["execution_time"] for m in models.values()),
                "tests_s": sum(tests), "elapsed_s": run_results["elapsed_time"]},
                info={"tests": len(tests), "models": {
                    name: {"s": round(m["execution_time"], 3),
                           "compile_s": round(_phase(m, "compile"), 3),
                           "execute_s": round(_phase(m, "execute"), 3)}
                    for name, m in models.items()}})

        def direct(number: int) -> harness.Sample:
            seconds = direct_seconds(duckdb_path, first_results, manifest, _direct_python)
            total = sum(seconds.values())
            return harness.Sample(total, metrics={"models_s": total},
                                  info={"models": {k: round(v, 3) for k, v in seconds.items()}})

        comparison = harness.compare(
            f"dbt_build_x{scale:g}", sides=[harness.Side("direct", direct), harness.Side("dbt", dbt)],
            anchor="direct", rounds=ROUNDS, temperature="warm", ratios=RATIOS,
            note="dbt build (CLI process) vs the same compiled SQL run directly on a copy of the file")
        models = _per_model(comparison)
        import duckdb

        with duckdb.connect(duckdb_path, read_only=True) as con:
            rows = {m: con.execute(f"select count(*) from marts.{m}").fetchall()[0][0]
                    for m in ("customer_rfm", "customer_ltv", "dq_sales_quarantine")}
            rows["sales_order_lines"] = con.execute("select count(*) from bronze_erp.sales_order_lines").fetchall()[0][0]
        summary = comparison.to_dict()
        figures = summary["figures"]
        return {
            "scale": scale,
            "rows": rows,
            "bronze_ingest_s": round(ingest_s, 1),
            "dbt_build_wall_s": figures["dbt"]["seconds"]["median"],
            "dbt_elapsed_s": figures["dbt"]["elapsed_s"]["median"],
            "dbt_models_s": figures["dbt"]["models_s"]["median"],
            "dbt_tests": comparison.rounds[-1].samples["dbt"].info["tests"],
            "dbt_tests_s": figures["dbt"]["tests_s"]["median"],
            "direct_sql_s": figures["direct"]["seconds"]["median"],
            "models_ratio_dbt_over_direct": summary["ratios"]["models_ratio_dbt_over_direct"]["median"],
            "build_ratio_wall_over_direct": summary["ratios"]["build_ratio_wall_over_direct"]["median"],
            "slowest_models": sorted(((n, m["dbt_s"]) for n, m in models.items()),
                                     key=lambda kv: -kv[1])[:8],
            "models": models,
            "comparison": _without_model_info(summary),
        }
    finally:
        shutil.rmtree(home.parent, ignore_errors=True)


def _split(run_results: dict[str, Any]) -> tuple[dict[str, Any], list[float]]:
    """(model name -> result, test execution times) of one ``run_results.json``."""
    models, tests = {}, []
    for result in run_results["results"]:
        uid = result["unique_id"]
        if uid.startswith(("test.", "unit_test.")):
            tests.append(result["execution_time"])
        else:
            models[uid.split(".")[-1]] = result
    return models, tests


def _per_model(comparison: harness.Comparison) -> dict[str, Any]:
    """Per model: medians over rounds of dbt's time, its phases, direct time and the ratio."""
    out: dict[str, Any] = {}
    names = comparison.rounds[0].samples["dbt"].info["models"]
    for name in names:
        dbt = [r.samples["dbt"].info["models"][name] for r in comparison.rounds]
        direct = [r.samples["direct"].info["models"].get(name) for r in comparison.rounds]
        ratios = [d["s"] / x if x else None for d, x in zip(dbt, direct, strict=True)]
        out[name] = {"dbt_s": harness.spread([d["s"] for d in dbt])["median"],
                     "dbt_compile_s": harness.spread([d["compile_s"] for d in dbt])["median"],
                     "dbt_execute_s": harness.spread([d["execute_s"] for d in dbt])["median"],
                     "direct_s": harness.spread(direct)["median"],
                     "ratio": harness.spread(ratios)["median"]}
    return {k: {f: (round(v, 3) if isinstance(v, float) else v) for f, v in m.items()}
            for k, m in out.items()}


def _without_model_info(summary: dict[str, Any]) -> dict[str, Any]:
    """The comparison without the per-model times of every round (summarised in ``models``)."""
    for entry in summary["round_log"]:
        for side in entry["sides"].values():
            side.pop("info", None)
    return summary


def run() -> dict[str, Any]:
    """Both scales (about 15 minutes on 2 cores with 5 rounds)."""
    return {"rounds": ROUNDS,
            "scales": {str(scale): bench_scale(scale) for scale in SCALES}}
