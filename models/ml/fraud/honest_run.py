"""Running the honest evaluation (:mod:`models.ml.fraud.honest`) on a lake, or on fresh demo groups.

* :func:`evaluate_lake` — the current lake (features, labels, rules inputs, the report);
* :func:`evaluate_seeds` — for each seed a demo group is generated and its ERP bronze tables
  ingested into a temporary GroupLake home (``grouplake run --select 'key:bronze/erp/*'`` in a
  child process, as ``tests/benchmarks/bench_ml.py`` does), then :func:`evaluate_lake`; the
  per-seed reports and their :func:`summarise` are returned.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ERP_SELECTION = "key:bronze/erp/*"


def evaluate_lake(con: Any, settings: Any, *, holdout_months: int = 8) -> dict[str, Any]:
    """The honest report of the lake behind ``con`` (labels: the demo ground truth / audit CSV)."""
    from models.ml.fraud.honest import evaluate_honestly
    from models.ml.fraud.labels import attach_labels, demo_cases_path, load_labels
    from models.ml.fraud.online_rules import lake_rule_inputs
    from models.ml.fraud.train import compute_frames

    frames = compute_frames(con)
    labels = load_labels(demo_cases_path(settings), con, include_unseen=True)
    if labels is None or labels.empty:
        raise LookupError("no fraud labels (ground_truth/fraud_cases.csv): nothing to evaluate honestly")
    labelled = {t: attach_labels(f, labels) for t, f in frames.items()}
    rules = lake_rule_inputs(con, frames["purchase_order"])
    return evaluate_honestly(labelled, rules, holdout_months=holdout_months)


def _grouplake() -> list[str]:
    found = Path(sys.executable).with_name("grouplake")
    if found.exists():
        return [str(found)]
    path = shutil.which("grouplake")
    if path is None:
        raise RuntimeError("the grouplake command is not on PATH")
    return [path]


def ingest_demo(home: Path, seed: int, scale: float) -> float:
    """Generate the demo group ``seed`` at ``scale`` and ingest its ERP bronze tables under ``home``."""
    env = {k: v for k, v in os.environ.items() if "__" not in k}
    env.update({"GROUPLAKE_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
                "DEMO__SCALE": str(scale), "DEMO__SEED": str(seed), "ENV": "local"})
    started = time.perf_counter()
    done = subprocess.run([*_grouplake(), "run", "--select", ERP_SELECTION], env=env, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"demo seed {seed}: ERP ingest failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def evaluate_seeds(seeds: Sequence[int], scale: float, *, holdout_months: int = 8,
                   progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Per-seed honest reports of fresh demo groups and their summary."""
    from infra.settings import Settings
    from models.ml.features.sources import open_lake
    from models.ml.fraud.honest import summarise

    per_seed: dict[str, Any] = {}
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix=f"fraud_eval_{seed}_") as tmp:
            home = Path(tmp) / "home"
            if progress:
                progress(f"seed {seed}: generating the demo group (scale {scale}) and ingesting ERP bronze")
            took = ingest_demo(home, seed, scale)
            settings = Settings(_env_file=None, GROUPLAKE_HOME=str(home))
            settings.demo.seed, settings.demo.scale = seed, scale
            con = open_lake(settings)
            try:
                if progress:
                    progress(f"seed {seed}: evaluating")
                report = evaluate_lake(con, settings, holdout_months=holdout_months)
            finally:
                con.close()
            report["demo_and_ingest_s"] = round(took, 1)
            per_seed[str(seed)] = report
    return {"scale": scale, "seeds": list(seeds), "summary": summarise(per_seed), "per_seed": per_seed}
