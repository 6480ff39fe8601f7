"""dbt models' compiled SQL run directly in DuckDB: what dbt's own timings are compared with.

Both the dbt and the scorecard benchmarks time each model twice: dbt's ``execution_time``
from ``run_results.json``, and the same compiled SQL run here on a copy of the built DuckDB
file (so the built file is left as dbt wrote it).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def direct_seconds(duckdb_path: str | Path, run_results: dict[str, Any], manifest: dict[str, Any],
                   python_model: Callable[[Any, dict[str, Any]], float] | None = None) -> dict[str, float]:
    """Seconds per model of ``run_results`` running its compiled SQL directly.

    Args:
        duckdb_path: the DuckDB file dbt built (copied first; the copy is removed afterwards).
        run_results: dbt's ``run_results.json`` (model nodes are timed, others skipped).
        manifest: dbt's ``manifest.json`` (schemas, aliases, materializations).
        python_model: times a Python model's work given (connection, manifest node); Python
            models are skipped without it.

    Returns:
        Model name -> seconds.
    """
    import duckdb

    copy = Path(tempfile.mkdtemp(prefix="bench_direct_")) / "grouplake.duckdb"
    shutil.copy(duckdb_path, copy)
    seconds: dict[str, float] = {}
    try:
        with duckdb.connect(str(copy)) as con:
            con.execute("SET TimeZone = 'UTC'")
            for result in run_results["results"]:
                uid = result["unique_id"]
                if not uid.startswith("model."):
                    continue
                node = manifest["nodes"][uid]
                if node.get("language") == "python":
                    if python_model is not None:
                        seconds[node["name"]] = python_model(con, node)
                    continue
                kind = "view" if node["config"]["materialized"] == "view" else "table"
                relation = f'"{node["schema"]}"."{node["alias"]}"'
                sql = result["compiled_code"].replace('"grouplake".', f'"{copy.stem}".')
                started = time.perf_counter()
                con.execute(f"create or replace {kind} {relation} as {sql}")
                seconds[node["name"]] = time.perf_counter() - started
    finally:
        shutil.rmtree(copy.parent, ignore_errors=True)
    return seconds
