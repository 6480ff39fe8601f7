"""Run the benchmarks: ``python -m tests.benchmarks [name ...]`` (``make bench [BENCH=name]``).

Every module ``tests/benchmarks/bench_<name>.py`` exposes ``run() -> dict``; its result is
written to ``tests/benchmarks/results/<name>.json`` with the machine, date and commit, so the
figures quoted in issue notes are reproducible by this one command.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE, check=False
        ).stdout.strip()
    except OSError:
        return "unknown"


def available() -> list[str]:
    """Names of every benchmark module."""
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def run_one(name: str) -> Path:
    """Run benchmark ``name`` and write its JSON result; return the result path."""
    module = importlib.import_module(f"tests.benchmarks.bench_{name}")
    start = time.perf_counter()
    result = module.run()
    envelope = {
        "benchmark": name,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _commit(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "wall_seconds": round(time.perf_counter() - start, 2),
        "result": result,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(envelope, indent=2, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    for name in names:
        print(f"== bench {name}", flush=True)
        print(f"   -> {run_one(name)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
