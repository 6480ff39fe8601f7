"""Supplier scorecards against the simulator's ground truth, and the build time of the marts.

Quality (scale 1, three seeds, 42 / 123 / 2026): the demo group injects chronically late and chronically
defective companies (``<demo dir>/ground_truth/companies.csv``, never read by the marts).
Each golden supplier of ``supplier_scorecards_current`` is mapped to the companies of its
ERP vendor records (ground truth ``supplier_records.csv`` + the crosswalk
``supplier_source_records``); it is *bad* when one of them is late or defective. The
elimination list (``is_bottom_decile``) is compared with that: precision, recall among the
ranked suppliers, recall among every bad supplier with a scorecard (unranked thin histories
cannot be listed), the share of bad suppliers among the ranked ones (a random list's
precision), the ROC AUC of ``overall_score`` (threshold-free), and what the false positives
are (expensive or slow-acknowledging companies: real weaknesses the truth file does not
flag as late/defective). The confident list (``list_status = 'listed'``: bottom decile with
the whole score interval below the cut-off) is measured the same way, next to the
``watch`` count. The scoring (shrinkage, score interval z, knockout groups, the metrics
weighted 0) was chosen on seed ``TUNING_SEED`` (7) only: the reported seeds were never
looked at while choosing it.

Speed (scales 1 and 5, seed 42): after bronze ingest, the upstream models and one untimed
``dbt run`` of the performance models (intermediate + marts), two sides interleaved per
round (harness, order rotating, **warm**): ``dbt`` = ``dbt run`` of the performance models
through the CLI (models' execution time from ``run_results.json``, and the wall time), and
``direct`` (the anchor) = the same compiled SQL run directly in DuckDB on a copy of the file.
Ratios per round, median with min–max (> 1: dbt slower): ``models_ratio_dbt_over_direct``,
``run_ratio_wall_over_direct``. The performance unit and data tests are timed once.

Run: ``make bench BENCH=scorecards`` (``BENCH_QUICK=1``: one seed and speed at scale 0.1,
2 rounds). ``python -m tests.benchmarks.bench_scorecards quality`` re-measures the quality
part alone and keeps the file's speed part as it was (with the commit it was measured at).
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

QUALITY_SCALE = harness.by_mode(1.0, 0.1)
QUALITY_SEEDS = harness.by_mode((42, 123, 2026), (42,))
#: The seed the scoring was tuned on (never among QUALITY_SEEDS).
TUNING_SEED = 7
SPEED_SCALES = harness.by_mode((1.0, 5.0), (0.1,))
ROUNDS = harness.rounds(5, quick=2)
PERFORMANCE = "path:models/intermediate/performance path:models/marts/performance"
#: A company this much dearer than the market is an expensive supplier (truth price_premium).
EXPENSIVE_PREMIUM = 0.05


def _env(home: Path, scale: float, seed: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "__" not in k and not k.startswith("GROUPLAKE_")}
    env.update({"GROUPLAKE_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"), "DEMO__SCALE": str(scale),
                "DEMO__SEED": str(seed), "ENV": "local"})
    return env


def _ingest(home: Path, scale: float, seed: int) -> float:
    """Generate the demo group, seed the platform (its outbox is a bronze source) and ingest
    every bronze table with the real assets (seconds)."""
    started = time.perf_counter()
    done = subprocess.run([str(Path(sys.executable).parent / "grouplake"), "run", "--select", "key:platform/* or key:bronze/*"],
                          env=_env(home, scale, seed), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bronze ingest failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def _dbt(home: Path, scale: float, seed: int, *args: str) -> tuple[float, dict[str, Any]]:
    """One dbt command with the project's profile in ``home``; (wall seconds, run_results)."""
    from dbt_project.runner import dbt_env, dbt_executable
    from infra.settings import isolated_settings

    env = _env(home, scale, seed)
    settings = isolated_settings(home)
    target = home / "dbt" / "target"
    env.update(dbt_env(settings))
    env.update({"DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target)})
    project = settings.dbt.project_dir
    Path(settings.dbt.duckdb_path).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = subprocess.run([dbt_executable(), *args, "--project-dir", project, "--profiles-dir", project],
                          cwd=project, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{done.stdout[-4000:]}")
    return wall, json.loads((target / "run_results.json").read_text())


def _build(home: Path, scale: float, seed: int) -> dict[str, Any]:
    """Upstream models, then the performance models alone (timed), then their tests (timed)."""
    _dbt(home, scale, seed, "seed")
    _dbt(home, scale, seed, "run", "--select", " ".join(f"+{p}" for p in PERFORMANCE.split()),
         "--exclude", PERFORMANCE)
    wall, results = _dbt(home, scale, seed, "run", "--select", PERFORMANCE)
    tests_wall, tests = _dbt(home, scale, seed, "test", "--select", PERFORMANCE)
    return {"run_wall_s": wall, "run_results": results, "tests_wall_s": tests_wall,
            "tests": len(tests["results"]), "tests_s": sum(r["execution_time"] for r in tests["results"])}


def _quality(home: Path) -> dict[str, Any]:
    """The current elimination list against the ground truth."""
    import duckdb
    import pandas as pd
    from sklearn.metrics import roc_auc_score

    truth_dir = home / "demo" / "ground_truth"
    companies = pd.read_csv(truth_dir / "companies.csv")
    records = pd.read_csv(truth_dir / "supplier_records.csv")
    with duckdb.connect(str(home / "dbt" / "grouplake.duckdb"), read_only=True) as con:
        cards = con.execute("select supplier_key, is_ranked, is_bottom_decile, list_status, overall_score "
                            "from marts.supplier_scorecards_current").df()
        # the performance models' own crosswalk (gold.supplier_source_records is not upstream
        # of them, so the bench's build does not make it)
        crosswalk = con.execute("select vendor_id, supplier_key from intermediate.int_erp_vendors__resolved").df()
    flags = ["is_chronically_late", "is_chronically_defective", "slow_acknowledger"]
    companies["is_expensive"] = (companies["price_premium"] >= EXPENSIVE_PREMIUM).astype(int)
    per_key = (crosswalk.merge(records[["vendor_id", "company_id"]], on="vendor_id")
               .merge(companies[["company_id", *flags, "is_expensive"]], on="company_id")
               .groupby("supplier_key")[[*flags, "is_expensive"]].max().reset_index())
    cards = cards.merge(per_key, on="supplier_key", how="left").fillna({c: 0 for c in [*flags, "is_expensive"]})
    cards["is_bad"] = (cards["is_chronically_late"] + cards["is_chronically_defective"]) > 0
    ranked = cards[cards["is_ranked"].astype(bool)]
    listed = ranked[ranked["is_bottom_decile"].astype(bool)]
    hits = int(listed["is_bad"].sum())
    false_positives = listed[~listed["is_bad"]]
    out = {
        "suppliers_with_scorecard": len(cards),
        "ranked": len(ranked),
        "listed": len(listed),
        "bad_with_scorecard": int(cards["is_bad"].sum()),
        "bad_ranked": int(ranked["is_bad"].sum()),
        "true_positives": hits,
        "precision": round(hits / len(listed), 4) if len(listed) else None,
        "recall_ranked": round(hits / ranked["is_bad"].sum(), 4) if ranked["is_bad"].sum() else None,
        "recall_all": round(hits / cards["is_bad"].sum(), 4) if cards["is_bad"].sum() else None,
        "base_rate_ranked": round(float(ranked["is_bad"].mean()), 4) if len(ranked) else None,
        "overall_score_auc": (round(float(roc_auc_score(ranked["is_bad"], -ranked["overall_score"])), 4)
                              if 0 < ranked["is_bad"].sum() < len(ranked) else None),
        "recall_late_ranked": _recall(ranked, "is_chronically_late"),
        "recall_defective_ranked": _recall(ranked, "is_chronically_defective"),
        "false_positives": len(false_positives),
        "false_positives_expensive": int(false_positives["is_expensive"].sum()),
        "false_positives_slow_acknowledger": int(false_positives["slow_acknowledger"].sum()),
    }
    confident = ranked[ranked["list_status"] == "listed"]
    out.update({
        "listed_confident": len(confident),
        "watch": int((ranked["list_status"] == "watch").sum()),
        "true_positives_confident": int(confident["is_bad"].sum()),
        "precision_confident": round(float(confident["is_bad"].mean()), 4) if len(confident) else None,
        "recall_confident_ranked": (round(float(confident["is_bad"].sum() / ranked["is_bad"].sum()), 4)
                                    if ranked["is_bad"].sum() else None),
    })
    return out


def _recall(ranked, flag: str) -> float | None:
    bad = ranked[ranked[flag] > 0]
    return round(float(bad["is_bottom_decile"].astype(bool).mean()), 4) if len(bad) else None


def _home(tag: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"bench_scorecards_{tag}_")) / "home"


def quality_run(seed: int, scale: float = QUALITY_SCALE, *, keep: bool = False) -> dict[str, Any]:
    """Ingest, build and measure the list at one seed."""
    home = _home(f"q{seed}")
    try:
        ingest_s = _ingest(home, scale, seed)
        build = _build(home, scale, seed)
        result = {"scale": scale, "seed": seed, "bronze_ingest_s": round(ingest_s, 1), **_quality(home)}
        if keep:
            result["_home"] = str(home)
            result["_build"] = build
        return result
    finally:
        if not keep:
            shutil.rmtree(home.parent, ignore_errors=True)


RATIOS = {
    "models_ratio_dbt_over_direct": harness.metric_ratio("models_s", "dbt", "direct"),
    "run_ratio_wall_over_direct": harness.metric_ratio("seconds", "dbt", "direct"),
}


def speed_run(scale: float, seed: int = 42, home: Path | None = None, build: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    """Performance models: dbt vs direct SQL over interleaved rounds at one scale (reusing a
    built home when given)."""
    own = home is None
    home = home or _home(f"s{scale}")
    try:
        ingest_s = None
        if build is None:
            ingest_s = _ingest(home, scale, seed)
            build = _build(home, scale, seed)
        first_results = build["run_results"]  # the untimed first run: the compiled SQL
        manifest = json.loads((home / "dbt" / "target" / "manifest.json").read_text())
        duckdb_path = home / "dbt" / "grouplake.duckdb"

        def dbt(number: int) -> harness.Sample:
            wall, results = _dbt(home, scale, seed, "run", "--select", PERFORMANCE)
            models = {r["unique_id"].split(".")[-1]: r["execution_time"] for r in results["results"]}
            return harness.Sample(wall, metrics={"models_s": sum(models.values())},
                                  info={"models": models})

        def direct(number: int) -> harness.Sample:
            seconds = direct_seconds(duckdb_path, first_results, manifest)
            total = sum(seconds.values())
            return harness.Sample(total, metrics={"models_s": total}, info={"models": seconds})

        comparison = harness.compare(
            f"performance_models_x{scale:g}", sides=[harness.Side("direct", direct),
                                                     harness.Side("dbt", dbt)],
            anchor="direct", rounds=ROUNDS, temperature="warm", ratios=RATIOS,
            note="dbt run of the performance models vs their compiled SQL run directly")
        per_model = {side: {name: harness.spread([r.samples[side].info["models"].get(name)
                                                  for r in comparison.rounds])["median"]
                            for name in comparison.rounds[0].samples[side].info["models"]}
                     for side in ("dbt", "direct")}
        summary = comparison.to_dict()
        for entry in summary["round_log"]:
            for side in entry["sides"].values():
                side.pop("info", None)
        import duckdb

        with duckdb.connect(str(duckdb_path), read_only=True) as con:
            rows = {m: con.execute(f"select count(*) from marts.{m}").fetchall()[0][0] for m in (
                "supplier_scorecards", "supplier_price_history", "supplier_spend_by_bu", "shipment_tracking",
                "stock_reconciliation")}
            rows["purchase_order_lines"] = con.execute(
                "select count(*) from bronze_erp.purchase_order_lines").fetchall()[0][0]
        figures, ratios = summary["figures"], summary["ratios"]
        return {
            "scale": scale, "seed": seed, "rows": rows,
            "bronze_ingest_s": None if ingest_s is None else round(ingest_s, 1),
            "dbt_run_wall_s": figures["dbt"]["seconds"]["median"],
            "dbt_models_s": figures["dbt"]["models_s"]["median"],
            "direct_sql_s": figures["direct"]["seconds"]["median"],
            "models_ratio_dbt_over_direct": ratios["models_ratio_dbt_over_direct"]["median"],
            "run_ratio_wall_over_direct": ratios["run_ratio_wall_over_direct"]["median"],
            "dbt_test_wall_s": round(build["tests_wall_s"], 2),
            "dbt_tests": build["tests"],
            "dbt_tests_s": round(build["tests_s"], 2),
            "slowest_models": sorted(((k, round(v, 3)) for k, v in per_model["dbt"].items()),
                                     key=lambda kv: -kv[1])[:6],
            "direct_per_model_s": {k: round(v, 3) for k, v in sorted(
                per_model["direct"].items(), key=lambda kv: -kv[1])[:6]},
            "comparison": summary,
        }
    finally:
        if own:
            shutil.rmtree(home.parent, ignore_errors=True)


def run(parts: tuple[str, ...] = ("quality", "speed")) -> dict[str, Any]:
    """Three seeds at scale 1 (the first one also timed), then scale 5 timed (~25 minutes on 2 cores)."""
    quality = []
    speed = {}
    for seed in QUALITY_SEEDS:
        result = quality_run(seed, keep="speed" in parts and seed == QUALITY_SEEDS[0])
        if "_home" in result:
            home, build = Path(result.pop("_home")), result.pop("_build")
            try:
                speed[str(QUALITY_SCALE)] = speed_run(QUALITY_SCALE, seed, home, build)
            finally:
                shutil.rmtree(home.parent, ignore_errors=True)
        quality.append(result)
    for scale in SPEED_SCALES if "speed" in parts else ():
        if str(scale) not in speed:
            speed[str(scale)] = speed_run(scale)
    keys = ("precision", "recall_ranked", "recall_all", "overall_score_auc", "base_rate_ranked",
            "precision_confident", "recall_confident_ranked")
    mean = {k: round(sum(q[k] for q in quality if q[k] is not None) / len(quality), 4) for k in keys}
    worst = {k: min(q[k] for q in quality if q[k] is not None) for k in ("precision", "precision_confident")}
    return {"quality": {"seeds": quality, "mean": mean, "min": worst, "tuning_seed": TUNING_SEED},
            "speed": speed, "rounds": ROUNDS}


def _quality_only() -> None:
    """Re-measure the quality part; keep the results file's speed part (and its commit)."""
    from tests.benchmarks.__main__ import results_dir

    path = results_dir() / "scorecards.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    git, load_start = harness.git_state(), os.getloadavg()
    started = time.perf_counter()
    result = run(parts=("quality",))
    old = previous.get("result", {})
    result["speed"] = old.get("speed", {})
    result["rounds"] = old.get("rounds", ROUNDS)
    result["speed_measured_at_commit"] = old.get("speed_measured_at_commit", previous.get("commit"))
    envelope = harness.envelope("scorecards", result, git=git, load_start=load_start,
                                wall_seconds=time.perf_counter() - started)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(envelope, indent=2, ensure_ascii=False, default=str) + "\n")
    print(json.dumps(result["quality"]["mean"]), json.dumps(result["quality"]["min"]))


if __name__ == "__main__":
    if sys.argv[1:] != ["quality"]:
        raise SystemExit("usage: python -m tests.benchmarks.bench_scorecards quality")
    _quality_only()
