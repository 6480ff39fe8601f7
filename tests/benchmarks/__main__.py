"""Run the benchmarks: ``python -m tests.benchmarks [name ...]`` (``make bench [BENCH=name]``).

Every module ``tests/benchmarks/bench_<name>.py`` exposes ``run() -> dict`` built on
:mod:`tests.benchmarks.harness`; its result is written to ``tests/benchmarks/results/<name>.json``
inside the harness's envelope (commit and dirty-tree flag taken before the run, machine, load
at start and end), so a figure quoted in a README or an issue note is reproducible by this one
command. With ``BENCH_QUICK=1`` (``make bench BENCH=<name> BENCH_QUICK=1``) each bench runs its
smallest configuration and the result goes to ``results/quick/`` (ignored by git): a quick run
proves the bench works and never overwrites a real figure.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
from pathlib import Path

from tests.benchmarks import harness

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def available() -> list[str]:
    """Names of every benchmark module."""
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def results_dir() -> Path:
    """Where results go: ``results/``, or ``results/quick/`` in quick mode."""
    return RESULTS / "quick" if harness.is_quick() else RESULTS


def run_one(name: str) -> Path:
    """Run benchmark ``name`` and write its JSON result; return the result path."""
    module = importlib.import_module(f"tests.benchmarks.bench_{name}")
    git, load_start = harness.git_state(), os.getloadavg()
    start = time.perf_counter()
    result = module.run()
    envelope = harness.envelope(name, result, git=git, load_start=load_start,
                                wall_seconds=time.perf_counter() - start)
    out = results_dir()
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(envelope, indent=2, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)
    return path


def main(argv: list[str]) -> int:
    """Run the named benchmarks (all when none is named); exit status 2 on an unknown name."""
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available())}")
        return 2
    for name in names:
        print(f"== bench {name}{' (quick)' if harness.is_quick() else ''}", flush=True)
        print(f"   -> {run_one(name)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
