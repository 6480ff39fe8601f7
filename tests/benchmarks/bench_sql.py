"""``grouplake sql`` start-up: a one-line query from a cold shell, against DuckDB alone.

Issue #24's figure: ``grouplake sql "select 1"`` wall time (target ≤ 0.5 s), on a lake that
holds tables (``TABLES`` small Delta tables under ``gold/``), so the command's start-up is
measured as an analyst meets it: interpreter start, imports, settings, the lake catalogue.

Sides, **cold** (every round a new process; the wall time includes the interpreter's
start-up because the user waits for it too), rounds interleaved with the order rotating:

* ``raw`` (anchor): ``python -c`` importing DuckDB and running the same query
  (``select 1``) — the floor any Python SQL command pays;
* ``grouplake``: ``grouplake sql "select 1"`` (settings, the lake's table listing skipped
  because the query reads no table, DuckDB, the table printer).

A second comparison, ``one_table``, counts the rows of one Delta table: ``raw`` opens it
with ``deltalake`` and counts through DuckDB over its pyarrow dataset; ``grouplake`` runs
``grouplake sql "select count(*) from gold.t0"`` (only the table the query reads is opened).
Ratio per round: raw seconds ÷ grouplake seconds (1.0 = as fast as the bare library). CPU
seconds are the child process's (``RUSAGE_CHILDREN``), a figure a loaded machine distorts
less than wall time.

Run: ``make bench BENCH=sql`` (``BENCH_QUICK=1``: 2 rounds).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.benchmarks import harness

TABLES = harness.by_mode(40, 5)
ROWS = 10_000
BIN = Path(sys.executable).parent


def _lake(home: Path) -> Path:
    """``TABLES`` Delta tables of ``ROWS`` rows under ``<home>/lake/gold`` (seeded)."""
    import numpy as np
    import pyarrow as pa
    from deltalake import write_deltalake

    rng = np.random.default_rng(24)
    root = home / "lake" / "gold"
    for i in range(TABLES):
        table = pa.table({"id": np.arange(ROWS), "amount": rng.normal(100, 10, ROWS),
                          "unit": rng.choice(["COAL", "POWER", "STEEL"], ROWS)})
        write_deltalake(str(root / f"t{i}"), table)
    return root


def _run(argv: list[str], env: dict[str, str], expect: str) -> harness.Sample:
    """One call of the command: its wall seconds and the CPU seconds of the child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0 or expect not in done.stdout:
        raise RuntimeError(f"{argv}: exit {done.returncode}: {done.stdout[-500:]} {done.stderr[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return harness.Sample(seconds, cpu)


def run() -> dict:
    """Both comparisons, cold, on a fresh lake; the result rows checked on every call."""
    with tempfile.TemporaryDirectory(prefix="bench-sql-") as tmp:
        home = Path(tmp) / "home"
        gold = _lake(home)
        env = {**os.environ, "GROUPLAKE_HOME": str(home), "ENV": "local"}
        grouplake = str(BIN / "grouplake")
        raw_one = ("import duckdb; print(duckdb.sql('select 1').fetchall())")
        raw_count = ("import duckdb; from deltalake import DeltaTable; "
                     f"ds = DeltaTable({str(gold / 't0')!r}).to_pyarrow_dataset(); "
                     "print(duckdb.sql('select count(*) from ds').fetchall(), flush=True); "
                     "import os; os._exit(0)")  # deltalake's runtime may abort at interpreter exit
        rounds = harness.rounds(7, quick=2)
        select_one = harness.compare(
            "select_1", anchor="raw", temperature="cold", rounds=rounds,
            sides=[harness.Side("raw", lambda r: _run([sys.executable, "-c", raw_one], env, "(1,)")),
                   harness.Side("grouplake", lambda r: _run([grouplake, "sql", "select 1"], env, "1 row(s)"))],
            note=f"a new process per call; the lake holds {TABLES} tables; wall includes interpreter start-up")
        one_table = harness.compare(
            "one_table", anchor="raw", temperature="cold", rounds=rounds,
            sides=[harness.Side("raw", lambda r: _run([sys.executable, "-c", raw_count], env, f"({ROWS},)")),
                   harness.Side("grouplake", lambda r: _run(
                       [grouplake, "sql", "select count(*) from gold.t0", "--format", "csv"], env,
                       f"\n{ROWS}"))],
            note="count(*) of one 10,000-row Delta table; raw: deltalake + DuckDB in a python -c")
    return {"tables": TABLES, "rows_per_table": ROWS, "target_seconds": 0.5,
            "select_1": select_one.to_dict(), "one_table": one_table.to_dict()}
