"""Held-out quality and speed of the ML models on the demo group at scale 1, three seeds.

For each seed a demo lake is generated and its ERP bronze tables ingested with the real
assets (a temporary GroupLake home). Then, in this process:

* fraud risk — features (SQL over the lake), the time-split training and evaluation
  (:func:`models.ml.fraud.train.train_fraud`): held-out PR-AUC, precision/recall@k, per fraud
  kind, next to the label-free baselines (red-flag rules, IsolationForest) fitted on the same
  training period; fit and scoring time next to the raw scikit-learn calls doing the same
  numeric work on the same matrices (IsolationForest + LogisticRegression fit; score_samples +
  predict_proba) — our extra is feature assembly, flag weights and reason sentences;
* recommendation — the product recommender leave-last-order-out on the lake's purchase
  history (:mod:`tests.benchmarks.reco_bench` has the public-data part): model, negative
  control, ``repeat`` and ``popularity``, precision/recall/NDCG@10;
* the whole training as the Dagster asset runs it (features, training, MLflow logging and
  registration, champion rule) — wall seconds;
* online scoring of one order (first seed): ``score_order`` (features from the order's own
  fields, the forest walked in plain Python, logistic regression, reason sentences) against
  the anchor ``sklearn_one_row`` (the bare ``IsolationForest.score_samples`` +
  ``predict_proba`` calls on the same one-row vectors), ``ONLINE_ORDERS`` orders per side
  and round: per-order p50/p99 ms as medians over rounds (**warm**: scorer loaded, one untimed
  pass), and the **cold** figure: loading the shipped bundle and scoring the first order in a
  fresh process (imports pandas and scikit-learn).

Fit and score timings are harness comparisons (ours vs the raw scikit-learn calls, rounds
interleaved, ratio per round as median with min–max; **warm**: the same process fitted
once before). Ground truth is read for evaluation only.

Run: ``make bench BENCH=ml`` (``BENCH_QUICK=1``: one seed at scale 0.25, 2 rounds).
"""

from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks import harness

SCALE = harness.by_mode(1.0, 0.25)
SEEDS = harness.by_mode((42, 7, 123), (42,))
ROUNDS = harness.rounds(5, quick=2)
ONLINE_ORDERS = harness.by_mode(300, 50)


def _env(home: Path, seed: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "__" not in k}
    env.update({"GROUPLAKE_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
                "DEMO__SCALE": str(SCALE), "DEMO__SEED": str(seed), "ENV": "local"})
    return env


#: Generate the demo group and ingest the ERP bronze tables with the real assets, composed from
#: the ERP component alone (so a half-finished component elsewhere cannot stop the benchmark).
_INGEST = """
import dagster as dg
from infra.settings import get_settings
from orchestration import erp
from grouplake.dagster_home import prepare_dagster_home
from orchestration.resources import LakeResource

prepare_dagster_home(get_settings())
defs = dg.Definitions.merge(erp.defs, dg.Definitions(resources={"lake": LakeResource()}))
result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
    instance=dg.DagsterInstance.get(), raise_on_error=False)
raise SystemExit(0 if result.success else 1)
"""


def _ingest(home: Path, seed: int) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _INGEST], env=_env(home, seed), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bronze ingest failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def _timed(fn, *args, **kwargs) -> tuple[Any, float]:
    started = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - started


def _raw_fit(model, frames) -> dict[str, Any]:
    """The bare scikit-learn fits of ``model``'s recipe on the same matrices."""
    import numpy as np
    from sklearn.ensemble import IsolationForest
    from sklearn.linear_model import LogisticRegression

    fitted = {}
    for document_type, frame in frames.items():
        document_model = model.models[document_type]
        x = document_model.design(frame)
        forest = IsolationForest(n_estimators=model.params.n_estimators, random_state=model.params.seed).fit(x)
        inputs = np.column_stack([x, -forest.score_samples(x), np.zeros(len(x))])
        labels = frame["label"].to_numpy() if "label" in frame else None
        classifier = None
        if labels is not None and document_model.supervised:
            classifier = LogisticRegression(C=model.params.c, max_iter=2000).fit(inputs, labels)
        fitted[document_type] = (x, forest, classifier)
    return fitted


def _raw_score(fitted: dict[str, Any]) -> None:
    """The bare scikit-learn scoring calls (``score_samples`` + ``predict_proba``)."""
    import numpy as np

    for x, forest, classifier in fitted.values():
        inputs = np.column_stack([x, -forest.score_samples(x), np.zeros(len(x))])
        if classifier is not None:
            classifier.predict_proba(inputs)


def _fraud(con, settings) -> dict[str, Any]:
    from models.ml.fraud.labels import attach_labels, demo_cases_path, load_labels
    from models.ml.fraud.model import fit_fraud_model
    from models.ml.fraud.train import compute_frames, train_fraud

    frames, t_features = _timed(compute_frames, con)
    labels = load_labels(demo_cases_path(settings), con)
    training, t_train = _timed(train_fraud, frames, labels)
    labelled = {t: attach_labels(f, labels) for t, f in frames.items()}
    model = fit_fraud_model(labelled)  # untimed: warms the process up, gives the recipe
    raw = {"fitted": _raw_fit(model, labelled)}
    fit = harness.compare(
        "fraud_fit", sides=[harness.Side("raw_sklearn", lambda r: raw.update(fitted=_raw_fit(model, labelled))),
                            harness.Side("ours", lambda r: fit_fraud_model(labelled))],
        anchor="raw_sklearn", rounds=ROUNDS, temperature="warm",
        ratios={"ours_over_raw_sklearn": harness.metric_ratio("seconds", "ours", "raw_sklearn")},
        note="every document type: IsolationForest + LogisticRegression fit (ours adds feature "
             "assembly, flag weights, reference percentiles)")
    score = harness.compare(
        "fraud_score", sides=[harness.Side("raw_sklearn", lambda r: _raw_score(raw["fitted"])),
                              harness.Side("ours", lambda r: model.score(frames))],
        anchor="raw_sklearn", rounds=ROUNDS, temperature="warm",
        ratios={"ours_over_raw_sklearn": harness.metric_ratio("seconds", "ours", "raw_sklearn")},
        note="every document: score_samples + predict_proba (ours adds reasons)")
    evaluation = training.evaluation
    fit_d, score_d = fit.to_dict(), score.to_dict()
    return {
        "documents": {t: len(f) for t, f in frames.items()},
        "split_date": evaluation["split_date"],
        "holdout_positives": evaluation["holdout_positives"],
        "supervised_types": training.params["supervised_types"],
        "model": evaluation["model"],
        "baselines": {name: {"overall": report["overall"],
                             "by_kind_pr_auc": {k: v["pr_auc"] for k, v in report["by_kind"].items()}}
                      for name, report in evaluation["baselines"].items()},
        "seconds": {"features": round(t_features, 3), "train_and_evaluate": round(t_train, 3),
                    "fit_all_documents": fit_d["figures"]["ours"]["seconds"]["median"],
                    "raw_sklearn_fit": fit_d["figures"]["raw_sklearn"]["seconds"]["median"],
                    "score_all_documents": score_d["figures"]["ours"]["seconds"]["median"],
                    "raw_sklearn_score": score_d["figures"]["raw_sklearn"]["seconds"]["median"]},
        "ratios": {"fit_vs_raw_sklearn": fit_d["ratios"]["ours_over_raw_sklearn"]["median"],
                   "score_vs_raw_sklearn": score_d["ratios"]["ours_over_raw_sklearn"]["median"]},
        "comparisons": {"fit": fit_d, "score": score_d},
    }


def _orders(con, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` purchase orders of the lake in the online contract's shape."""
    heads = con.execute(
        "select purchase_order_id, business_unit_code, vendor_id, buyer_id, total_amount, currency,"
        " created_at, approved_by, approved_at from bronze.erp__purchase_orders"
        " order by purchase_order_id limit ?", [limit]).fetchall()
    lines: dict[str, list[dict[str, Any]]] = {}
    for po, material, price, currency in con.execute(
            "select purchase_order_id, material_id, unit_price, currency"
            " from bronze.erp__purchase_order_lines where purchase_order_id in"
            " (select purchase_order_id from bronze.erp__purchase_orders"
            "  order by purchase_order_id limit ?)", [limit]).fetchall():
        lines.setdefault(po, []).append({"material_id": material, "unit_price": float(price),
                                         "currency": currency})
    keys = ("purchase_order_id", "business_unit_code", "vendor_id", "buyer_id", "total_amount",
            "currency", "ordered_at", "approved_by", "approved_at")
    return [{**dict(zip(keys, row, strict=True)), "lines": lines.get(row[0], [])} for row in heads]


def _cold_online(path: str, order: dict[str, Any]) -> float:
    """In a fresh process: load the shipped bundle and score one order (seconds)."""
    started = time.perf_counter()
    from models.ml.risk import load_order_scorer

    load_order_scorer(path=Path(path)).score(order)
    return time.perf_counter() - started


def _online(con, bundle: Path) -> dict[str, Any]:
    """``score_order`` per order vs the bare scikit-learn calls on the same one-row vectors."""
    import numpy as np

    from models.ml.risk import OrderRiskScorer

    scorer = OrderRiskScorer.from_file(bundle)
    orders = _orders(con, ONLINE_ORDERS)
    po = scorer.model.models["purchase_order"]
    vectors = [np.array([[float(scorer.features(o).get(f, 0.0) or 0.0) for f in po.features]])
               for o in orders]

    def ours(number: int) -> harness.Sample:
        took = []
        for o in orders:
            started = time.perf_counter()
            scorer.score(o)
            took.append(time.perf_counter() - started)
        return harness.Sample(sum(took), metrics=harness.latency_metrics(took, sum(took)))

    def sklearn_one_row(number: int) -> harness.Sample:
        took, forest_only = [], []
        for x in vectors:
            started = time.perf_counter()
            anomaly = -po.forest.score_samples(x)
            forest_only.append(time.perf_counter() - started)
            if po.supervised:
                po.classifier.predict_proba(po.scaler.transform(po.inputs(x, anomaly)))
            took.append(time.perf_counter() - started)
        metrics = harness.latency_metrics(took, sum(took))
        metrics["score_samples_p50_ms"] = harness.latency_metrics(forest_only, 1.0)["p50_ms"]
        return harness.Sample(sum(took), metrics=metrics)

    comparison = harness.compare(
        "online_order_scoring", sides=[harness.Side("sklearn_one_row", sklearn_one_row),
                                       harness.Side("score_order", ours)],
        anchor="sklearn_one_row", rounds=ROUNDS, temperature="warm", warmup=1,
        note=f"{len(orders)} purchase orders of the lake, one at a time")
    summary = comparison.to_dict()
    cold = harness.in_fresh_process(_cold_online, str(bundle), orders[0])
    figures = summary["figures"]
    return {
        "orders": len(orders),
        "supervised": po.supervised,
        "score_order_p50_ms": figures["score_order"]["p50_ms"]["median"],
        "score_order_p99_ms": figures["score_order"]["p99_ms"]["median"],
        "sklearn_one_row_p50_ms": figures["sklearn_one_row"]["p50_ms"]["median"],
        "sklearn_score_samples_p50_ms": figures["sklearn_one_row"]["score_samples_p50_ms"]["median"],
        "ratio": summary["ratios"]["ratio"]["median"],
        "cold_load_and_first_score_s": {"temperature": "cold", "seconds": round(cold, 3)},
        "comparison": summary,
    }


def _recommender(con, settings) -> dict[str, Any]:
    """The product recommender leave-last-order-out on the lake's purchase history (ERP + platform)."""
    import pandas as pd

    from models.ml.features.interactions import vendor_quality
    from models.ml.recommend.evaluate import evaluate_history
    from models.ml.recommend.lake import erp_lines, erp_offers, purchase_history
    from models.ml.recommend.suppliers import fit_supplier_ranker

    history = purchase_history(con)
    report, t_eval = _timed(evaluate_history, history, 10)
    lines = erp_lines(con)
    suppliers, t_sup = _timed(fit_supplier_ranker, lines, erp_offers(con), lambda at: vendor_quality(con, at.date()),
                              pd.Timestamp(lines["ordered_at"].max()))
    return {**report, "suppliers": suppliers.evaluation,
            "seconds": {"evaluate": round(t_eval, 3), "suppliers": round(t_sup, 3)}}


def _asset_path(con, settings) -> dict[str, float]:
    """The training as the Dagster assets run it, MLflow included (a fresh sqlite store)."""
    from models.ml.workflow import score_fraud, train_fraud_model, train_recommender_model

    fraud, t_fraud = _timed(train_fraud_model, settings, con=con)
    _, t_rec = _timed(train_recommender_model, settings, con=con)
    _, t_score = _timed(score_fraud, settings, con=con)
    return {"fraud_risk_model_asset_s": round(t_fraud, 2), "recommender_model_asset_s": round(t_rec, 2),
            "gold_ml_fraud_risk_scoring_s": round(t_score, 2), "fraud_promoted": fraud.decision.promoted,
            "_shipped": None if fraud.shipped is None else str(fraud.shipped)}


def _summary(per_seed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    def stats(values: list[float]) -> dict[str, float]:
        values = [v for v in values if v is not None and not math.isnan(v)]
        return {"mean": round(statistics.mean(values), 4), "min": round(min(values), 4),
                "max": round(max(values), 4)} if values else {}

    runs = list(per_seed.values())
    kinds = sorted({k for r in runs for k in r["fraud"]["model"]["by_kind"]})
    return {
        "fraud_holdout_pr_auc": {
            "model": stats([r["fraud"]["model"]["overall"]["pr_auc"] for r in runs]),
            **{f"baseline_{b}": stats([r["fraud"]["baselines"][b]["overall"]["pr_auc"] for r in runs])
               for b in ("rules", "isolation_forest")},
        },
        "fraud_precision_at_25": stats([r["fraud"]["model"]["overall"]["precision_at_25"] for r in runs]),
        "fraud_recall_at_50": stats([r["fraud"]["model"]["overall"]["recall_at_50"] for r in runs]),
        "fraud_by_kind": {k: {
            "positives": sum(r["fraud"]["model"]["by_kind"].get(k, {}).get("positives", 0) for r in runs),
            "pr_auc": stats([r["fraud"]["model"]["by_kind"][k]["pr_auc"] for r in runs
                             if k in r["fraud"]["model"]["by_kind"]]),
            "recall_at_1pct_budget": stats([r["fraud"]["model"]["by_kind"][k]["recall_at_budget"] for r in runs
                                            if k in r["fraud"]["model"]["by_kind"]]),
            "rules_pr_auc": stats([r["fraud"]["baselines"]["rules"]["by_kind_pr_auc"].get(k) for r in runs]),
        } for k in kinds},
        "recommender_ndcg_at_10": {v: stats([r["recommender"][v]["ndcg_at_10"] for r in runs])
                                   for v in ("model", "negative_control", "repeat", "popularity")},
        "recommender_precision_at_10": {v: stats([r["recommender"][v]["precision_at_10"] for r in runs])
                                        for v in ("model", "negative_control", "repeat", "popularity")},
        "seconds": {
            "fraud_train_and_evaluate": stats([r["fraud"]["seconds"]["train_and_evaluate"] for r in runs]),
            "fraud_score_all_documents": stats([r["fraud"]["seconds"]["score_all_documents"] for r in runs]),
            "recommender_evaluate": stats([r["recommender"]["seconds"]["evaluate"] for r in runs]),
            "fraud_risk_model_asset": stats([r["asset_path"]["fraud_risk_model_asset_s"] for r in runs]),
            "recommender_model_asset": stats([r["asset_path"]["recommender_model_asset_s"] for r in runs]),
        },
        "ratios": {
            "fraud_fit_vs_raw_sklearn": stats([r["fraud"]["ratios"]["fit_vs_raw_sklearn"] for r in runs]),
            "fraud_score_vs_raw_sklearn": stats([r["fraud"]["ratios"]["score_vs_raw_sklearn"] for r in runs]),
        },
    }


def run() -> dict[str, Any]:
    """Quality and timings per seed at scale 1, and their summary."""
    import mlflow  # noqa: F401 - imported once up front: no seed's timing pays the cold imports
    import sklearn.ensemble
    import sklearn.linear_model  # noqa: F401

    from infra.settings import Settings
    from models.ml.features.sources import open_lake

    per_seed: dict[str, dict[str, Any]] = {}
    online: dict[str, Any] | None = None
    for seed in SEEDS:
        with tempfile.TemporaryDirectory(prefix=f"bench_ml_{seed}_") as tmp:
            home = Path(tmp) / "home"
            t_ingest = _ingest(home, seed)
            settings = Settings(_env_file=None, GROUPLAKE_HOME=str(home))
            settings.demo.seed, settings.demo.scale = seed, SCALE
            con = open_lake(settings)
            per_seed[str(seed)] = {
                "demo_and_ingest_s": round(t_ingest, 1),
                "fraud": _fraud(con, settings),
                "recommender": _recommender(con, settings),
                "asset_path": _asset_path(con, settings),
            }
            shipped = per_seed[str(seed)]["asset_path"].pop("_shipped")
            if online is None and shipped:
                online = _online(con, Path(shipped))
            con.close()
    from tests.benchmarks.reco_bench import existing_section, section_envelope, summarise

    demo = {"dataset": f"demo group, scale {SCALE}, seeds {list(SEEDS)}, lake history (bronze ERP + outbox)",
            "summary": summarise([per_seed[str(seed)]["recommender"] for seed in SEEDS]),
            "per_seed": [per_seed[str(seed)]["recommender"] for seed in SEEDS]}
    recommendation = {"demo": section_envelope(demo)}
    public = existing_section("public")  # hours on two cores: measured by tests.benchmarks.reco_bench
    if public is not None:
        recommendation["public"] = public
    return {"scale": SCALE, "seeds": list(SEEDS), "rounds": ROUNDS, "summary": _summary(per_seed),
            "online_scoring": online, "per_seed": per_seed, "recommendation": recommendation}
