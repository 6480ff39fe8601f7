"""Train, evaluate, register and score the two forecast models (shared by Dagster and the bench).

``train_demand_model`` / ``train_delivery_model``: read the lake, evaluate on the later period
(against the naive baselines), refit the same recipe on the whole history, log the run and
register a new MLflow version, then apply the floor and the champion rule
(:func:`models.ml.workflow._decide`). ``score_demand`` / ``score_delivery``: the champion's
rows of ``gold.ml_demand_forecast`` / ``gold.ml_delivery_risk``. Nothing here knows about Dagster.

Champion metrics (higher is better, as :func:`models.ml.registry.is_not_worse` wants):

* demand: ``holdout_wape_gain`` = the better naive baseline's held-out WAPE (last value or
  seasonal naive) − the kept method's (the boosted model, or the 12-week moving average when it
  did better on the hold-out); floor: ≥ 0 (not worse than the naive forecasts);
* delivery: ``holdout_log_loss_gain`` = the vendor late rate's held-out log loss − the
  model's; floor: ≥ 0. Not judged (passes) with fewer than ``MIN_HELDOUT`` held-out cells/lines.
"""

from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from models.ml.forecast.delivery import (
    DeliveryParams,
    evaluate_delivery,
    fit_delivery,
    score_pairs,
    training_set,
)
from models.ml.forecast.demand import (
    DemandParams,
    build_panel,
    evaluate_demand,
    fit_demand,
    forecast_rows,
)
from models.ml.forecast.history import (
    ForecastSources,
    exists,
    order_lines,
    shipments,
    stock_on_hand,
)

DEMAND_MODEL_NAME = "grouplake_demand_forecast"
DELIVERY_MODEL_NAME = "grouplake_delivery_risk"
DEMAND_METRIC = "holdout_wape_gain"
DELIVERY_METRIC = "holdout_log_loss_gain"
MIN_HELDOUT = 30

MODEL_DESCRIPTIONS = {
    DEMAND_MODEL_NAME: (
        "Weekly demand per business unit x SKU (thin SKUs pooled per category) for the next 4 weeks: gradient "
        "boosting on lags, rolling means and the week of the year. Judged on the last 12 weeks against last value, "
        "seasonal naive and a 12-week moving average (WAPE); the champion feeds gold.ml_demand_forecast."),
    DELIVERY_MODEL_NAME: (
        "Probability that a supplier (ERP vendor) delivers a SKU after the promised date, from its delivery "
        "record, its company's record in other units, lead-time spread and shipment telemetry. Judged on the "
        "last 90 days against the vendor's historical late rate (log loss, Brier, PR-AUC); the champion feeds "
        "gold.ml_delivery_risk and the optimiser's late_probability."),
}


def _finite(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def demand_metrics(report: dict[str, Any]) -> dict[str, float]:
    """Flat MLflow metrics of an :func:`evaluate_demand` report."""
    out = {"holdout_cells": float(report["cells"]), "series": float(report["series"])}
    for name in ("model", "last_value", "seasonal_naive", "moving_average"):
        prefix = "holdout" if name == "model" else f"baseline_{name}"
        for metric in ("mae", "wape", "bias"):
            out[f"{prefix}_{metric}"] = report[name][metric]
    best_naive = min(report["last_value"]["wape"], report["seasonal_naive"]["wape"])
    out["holdout_selected_wape"] = report["selected_wape"]
    out["selected_gbm"] = float(report["selected"] == "gbm")
    out[DEMAND_METRIC] = best_naive - report["selected_wape"]
    out["holdout_wape_gain_vs_moving_average"] = report["moving_average"]["wape"] - report["model"]["wape"]
    return out


def delivery_metrics(report: dict[str, Any]) -> dict[str, float]:
    """Flat MLflow metrics of an :func:`evaluate_delivery` report."""
    out = {"holdout_lines": float(report["holdout_lines"]), "training_lines": float(report["training_lines"])}
    for name, prefix in (("model", "holdout"), ("vendor_late_rate", "baseline_vendor_rate"),
                         ("shrunk_rate", "baseline_shrunk_rate")):
        for metric in ("log_loss", "brier", "pr_auc"):
            out[f"{prefix}_{metric}"] = report[name][metric]
    out[DELIVERY_METRIC] = report["log_loss_gain"]
    out["holdout_brier_gain"] = report["brier_gain"]
    return out


def demand_floor(metrics: dict[str, float]) -> tuple[bool, str]:
    """A demand model may become champion when its held-out WAPE is not worse than the naive forecast's."""
    gain = metrics.get(DEMAND_METRIC)
    if metrics.get("holdout_cells", 0) < MIN_HELDOUT or not _finite(gain):
        return True, "too few held-out cells: not judged"
    ok = gain >= 0
    return ok, f"WAPE gain over the best naive forecast {gain:+.4f} ({'>=' if ok else '<'} 0)"


def delivery_floor(metrics: dict[str, float]) -> tuple[bool, str]:
    """A delivery model may become champion when its held-out log loss is not worse than the vendor rate's."""
    gain = metrics.get(DELIVERY_METRIC)
    if metrics.get("holdout_lines", 0) < MIN_HELDOUT or not _finite(gain):
        return True, "too few held-out lines: not judged"
    ok = gain >= 0
    return ok, f"log-loss gain over the vendor's late rate {gain:+.4f} ({'>=' if ok else '<'} 0)"


def _register(settings: Any, name: str, python_model: Path, model: Any, manifest: dict[str, Any],
              params: dict[str, Any], metrics: dict[str, float], evaluation: dict[str, Any], floor: tuple[bool, str],
              run_name: str, description: str, tolerance: float) -> Any:
    from models.ml.bundle import save_bundle
    from models.ml.registry import client, log_training, registry_lock
    from models.ml.workflow import TrainOutcome, _decide

    with tempfile.TemporaryDirectory() as tmp:
        bundle = save_bundle(Path(tmp) / "bundle.pkl", model, manifest)
        with registry_lock(settings):
            registered = log_training(settings, model_name=name, python_model=python_model, bundle_path=bundle,
                                      params=params, metrics=metrics, documents={"evaluation.json": evaluation},
                                      run_name=run_name, description=description)
            client(settings).update_registered_model(name, description=MODEL_DESCRIPTIONS[name])
            decision = _decide(settings, name, registered.version,
                               DEMAND_METRIC if name == DEMAND_MODEL_NAME else DELIVERY_METRIC, floor, tolerance)
    return TrainOutcome(name, registered, decision, metrics, evaluation, params)


def _connect(settings: Any, con: Any | None) -> Any:
    if con is not None:
        return con
    from models.ml.features.sources import open_lake

    return open_lake(settings)


def train_demand_model(settings: Any, *, con: Any | None = None, params: DemandParams | None = None,
                       sources: ForecastSources | None = None, tolerance: float = 0.0) -> Any:
    """Evaluate, refit on everything, register ``grouplake_demand_forecast``; promote if not worse."""
    from models.ml import mlflow_models

    params = params or DemandParams()
    started = time.perf_counter()
    lines = order_lines(_connect(settings, con), sources)
    report = evaluate_demand(lines, params)
    metrics = demand_metrics(report)
    panel = build_panel(lines, min_active_weeks=params.min_active_weeks)
    model = fit_demand(panel, params, halfwidth_from=report["interval_halfwidth"])
    model.method = report["selected"]
    seconds = {"evaluate": report["seconds"], "total": round(time.perf_counter() - started, 3)}
    outcome = _register(
        settings, DEMAND_MODEL_NAME, mlflow_models.DEMAND_FORECAST, model,
        {"model_name": DEMAND_MODEL_NAME, "primary_metric": DEMAND_METRIC, "metrics": metrics,
         "trained_through": model.trained_through},
        params.as_params(), metrics, report, demand_floor(metrics),
        f"demand until {model.trained_through} · WAPE {report['model']['wape']:.3f} vs seasonal naive "
        f"{report['seasonal_naive']['wape']:.3f}",
        (f"Demand forecast judged on the weeks from {report['holdout_from']} ({report['cells']} cells, "
         f"{report['series']} series): WAPE model {report['model']['wape']:.3f}, last value "
         f"{report['last_value']['wape']:.3f}, seasonal naive {report['seasonal_naive']['wape']:.3f}, moving "
         f"average {report['moving_average']['wape']:.3f}; method kept: {report['selected']}; then refitted on the "
         "whole history."), tolerance)
    outcome.seconds = seconds
    return outcome


def train_delivery_model(settings: Any, *, con: Any | None = None, params: DeliveryParams | None = None,
                         sources: ForecastSources | None = None, tolerance: float = 0.0) -> Any:
    """Evaluate, refit on everything, register ``grouplake_delivery_risk``; promote if not worse."""
    from models.ml import mlflow_models
    from models.ml.forecast.delivery import DAY, data_end

    params = params or DeliveryParams()
    started = time.perf_counter()
    con = _connect(settings, con)
    lines, ships = order_lines(con, sources), shipments(con, sources)
    report = evaluate_delivery(lines, ships, params)
    metrics = delivery_metrics(report)
    end = data_end(lines) + DAY
    model = fit_delivery(training_set(lines, ships, end, params), params, str(end.date()))
    outcome = _register(
        settings, DELIVERY_MODEL_NAME, mlflow_models.DELIVERY_RISK, model,
        {"model_name": DELIVERY_MODEL_NAME, "primary_metric": DELIVERY_METRIC, "metrics": metrics,
         "trained_through": model.trained_through},
        params.as_params(), metrics, report, delivery_floor(metrics),
        f"delivery risk until {model.trained_through} · log loss {report['model']['log_loss']:.3f} vs vendor rate "
        f"{report['vendor_late_rate']['log_loss']:.3f}",
        (f"Late-delivery risk judged on lines ordered from {report['holdout_from']} ({report['holdout_lines']} lines): "
         f"log loss model {report['model']['log_loss']:.3f} vs vendor late rate "
         f"{report['vendor_late_rate']['log_loss']:.3f}; Brier {report['model']['brier']:.4f} vs "
         f"{report['vendor_late_rate']['brier']:.4f}; PR-AUC {report['model']['pr_auc']:.3f} vs "
         f"{report['vendor_late_rate']['pr_auc']:.3f}; then refitted up to {model.trained_through}."), tolerance)
    outcome.seconds = {"evaluate": report["seconds"], "total": round(time.perf_counter() - started, 3)}
    return outcome


def score_demand(settings: Any, *, con: Any | None = None, sources: ForecastSources | None = None) -> tuple[pd.DataFrame, str]:
    """Rows of ``gold.ml_demand_forecast`` from the champion, and its version."""
    from models.ml.forecast.gold import DEMAND_ORDER
    from models.ml.workflow import load_champion

    con = _connect(settings, con)
    model, _manifest, version = load_champion(settings, DEMAND_MODEL_NAME)
    rows = forecast_rows(model, order_lines(con, sources), stock_on_hand(con, sources))
    rows["model_name"], rows["model_version"] = DEMAND_MODEL_NAME, version
    return rows.sort_values(DEMAND_ORDER).reset_index(drop=True), version


def offers(con: Any, sources: ForecastSources | None = None) -> pd.DataFrame | None:
    """(vendor, material) pairs with an offer, with the SKU and the vendor's unit (None without offers)."""
    relation = "bronze.erp__supplier_offers"
    s = sources or ForecastSources()
    if not exists(con, relation):
        return None
    return con.sql(f"""
select distinct o.vendor_id, o.material_id, m.sku, v.business_unit_code
from {relation} o join {s.materials} m on m.material_id = o.material_id
left join {s.vendors} v on v.vendor_id = o.vendor_id
""").df()


def score_delivery(settings: Any, *, con: Any | None = None, sources: ForecastSources | None = None) -> tuple[pd.DataFrame, str]:
    """Rows of ``gold.ml_delivery_risk`` from the champion, and its version."""
    from models.ml.forecast.gold import DELIVERY_ORDER
    from models.ml.workflow import load_champion

    con = _connect(settings, con)
    model, _manifest, version = load_champion(settings, DELIVERY_MODEL_NAME)
    rows = score_pairs(model, order_lines(con, sources), shipments(con, sources), offers(con, sources))
    rows = rows.rename(columns={"baseline": "historical_late_rate"})
    rows["historical_late_rate"] = rows["vendor_late_rate_raw"]
    rows["model_name"], rows["model_version"] = DELIVERY_MODEL_NAME, version
    return rows.sort_values(DELIVERY_ORDER).reset_index(drop=True), version
