"""Forecast quality (issue #16 item 3): demand and late-delivery risk against naive baselines.

For each seed (42, 7, 123) a demo group is generated at scale 1 (``demo/``: the units' monthly
seasonality, buyers' reorder rhythms; chronically late companies), its ERP tables are read into
DuckDB, and the two evaluations of :mod:`models.ml.forecast` run on them, exactly as the Dagster
assets run them on the lake:

* **demand** (:func:`models.ml.forecast.demand.evaluate_demand`): fitted before the last 12
  weeks, forecasting 1-4 weeks ahead from every origin inside them; MAE and WAPE of the model,
  last value, seasonal naive and a 12-week moving average on the same cells;
* **delivery** (:func:`models.ml.forecast.delivery.evaluate_delivery`): fitted on windows before
  the last 90 days, judged on the lines ordered in them; log loss, Brier and PR-AUC of the
  model, the vendor's historical late rate, and the shrunk vendor x SKU rate.

``python -m tests.benchmarks forecast`` → ``tests/benchmarks/results/forecast.json``
(``BENCH_QUICK=1``: scale 0.2, one seed, written to ``results/quick/``). The figures are
quality, not timings; the seconds are reported for information (the machine is shared).
Not merged into ``ml.json``: ``bench_ml`` rewrites that file whole.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from tests.benchmarks import harness

SEEDS = (42, 7, 123)
SCALE = 1.0
#: the ERP columns the forecasts read (the demo's dirty free-text columns are not read).
TABLES = {
    "purchase_orders": "purchase_order_id, business_unit_code, vendor_id, order_date, promised_date, status",
    "purchase_order_lines": "purchase_order_line_id, purchase_order_id, material_id, quantity, unit_price, promised_date",
    "materials": "material_id, sku, category_id",
    "goods_receipts": "purchase_order_line_id, received_date",
    "shipments": ("purchase_order_id, vendor_id, shipped_at, transport_mode, tracking_device_id, expected_arrival_at, "
                  "delivered_at"),
    "vendors": "vendor_id, business_unit_code, uscc",
}

_GENERATE = """
import sys
from infra.settings import get_settings
from demo import generate_demo_group
generate_demo_group(get_settings(), scale=float(sys.argv[1]), seed=int(sys.argv[2]), force=True)
print(get_settings().erp.database_url)
"""


def erp_duckdb(erp_url: str) -> Any:
    """An in-memory DuckDB with the ERP tables the forecasts read (schema ``erp``)."""
    import duckdb
    import pandas as pd
    import sqlalchemy as sa

    con = duckdb.connect(":memory:")
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE SCHEMA erp")
    engine = sa.create_engine(erp_url)
    try:
        with engine.connect() as source:
            for table, columns in TABLES.items():
                frame = pd.read_sql(sa.text(f"SELECT {columns} FROM {table}"), source)
                for column in frame.columns:  # decimals as floats, JSON as text: DuckDB-friendly types
                    sample = frame[column].dropna()
                    if frame[column].dtype == object and len(sample):
                        if any(isinstance(v, (Decimal, int, float)) for v in sample.iloc[:1000]):
                            # the demo's dirty rows ('1.234,5') are what ingest quarantines: dropped here
                            frame[column] = pd.to_numeric(frame[column], errors="coerce")
                        elif isinstance(sample.iloc[0], (dict, list)):
                            frame[column] = frame[column].astype(str)
                con.register(f"_{table}", frame)
                con.execute(f"CREATE TABLE erp.{table} AS SELECT * FROM _{table}")
                con.unregister(f"_{table}")
    finally:
        engine.dispose()
    return con


def generate(seed: int, scale: float, home: Path) -> str:
    """Generate the demo group under ``home``; its ERP database URL."""
    env = {k: v for k, v in os.environ.items() if "__" not in k}
    env.update({"GROUPLAKE_HOME": str(home), "ENV": "local"})
    done = subprocess.run([sys.executable, "-c", _GENERATE, str(scale), str(seed)], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"demo generation failed:\n{done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def evaluate_seed(seed: int, scale: float) -> dict[str, Any]:
    """Both evaluations on one generated demo group."""
    from models.ml.forecast.delivery import evaluate_delivery
    from models.ml.forecast.demand import evaluate_demand
    from models.ml.forecast.history import ForecastSources, order_lines, shipments

    sources = ForecastSources(**{t: f"erp.{t}" for t in TABLES}, warehouses="erp.warehouses",
                              stock_snapshots="erp.stock_snapshots")
    with tempfile.TemporaryDirectory(prefix=f"forecast-{seed}-") as tmp:
        started = time.perf_counter()
        url = generate(seed, scale, Path(tmp))
        con = erp_duckdb(url)
        generated = round(time.perf_counter() - started, 1)
    lines, ships = order_lines(con, sources), shipments(con, sources)
    load = round(os.getloadavg()[0], 2)
    demand = evaluate_demand(lines)
    delivery = evaluate_delivery(lines, ships)
    return {"seed": seed, "scale": scale, "order_lines": len(lines), "generate_seconds": generated,
            "load_average": load, "demand": demand, "delivery": delivery}


def _stats(values: list[float]) -> dict[str, float]:
    return {"mean": round(statistics.fmean(values), 4), "min": round(min(values), 4), "max": round(max(values), 4)}


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean, min, max over seeds of every figure, and whether the model beat each baseline on every seed."""
    demand = {name: {m: _stats([r["demand"][name][m] for r in runs]) for m in ("mae", "wape")}
              for name in ("model", "last_value", "seasonal_naive", "moving_average")}
    delivery = {name: {m: _stats([r["delivery"][name][m] for r in runs]) for m in ("log_loss", "brier", "pr_auc")}
                for name in ("model", "vendor_late_rate", "shrunk_rate")}
    return {
        "demand_forecast": {
            **demand,
            "beats_last_value_every_seed": all(r["demand"]["model"]["wape"] < r["demand"]["last_value"]["wape"] for r in runs),
            "beats_seasonal_naive_every_seed": all(r["demand"]["model"]["wape"] < r["demand"]["seasonal_naive"]["wape"]
                                                   for r in runs),
            "beats_moving_average_every_seed": all(r["demand"]["model"]["wape"] < r["demand"]["moving_average"]["wape"]
                                                   for r in runs),
            "series": _stats([r["demand"]["series"] for r in runs]),
            "sku_series": _stats([r["demand"]["sku_series"] for r in runs]),
            "cells": _stats([r["demand"]["cells"] for r in runs]),
            "seconds": _stats([r["demand"]["seconds"] for r in runs]),
        },
        "delivery_risk": {
            **delivery,
            "beats_vendor_rate_log_loss_every_seed": all(
                r["delivery"]["model"]["log_loss"] < r["delivery"]["vendor_late_rate"]["log_loss"] for r in runs),
            "beats_vendor_rate_brier_every_seed": all(
                r["delivery"]["model"]["brier"] < r["delivery"]["vendor_late_rate"]["brier"] for r in runs),
            "holdout_lines": _stats([r["delivery"]["holdout_lines"] for r in runs]),
            "late_share": _stats([r["delivery"]["model"]["late_share"] for r in runs]),
            "seconds": _stats([r["delivery"]["seconds"] for r in runs]),
        },
    }


def run() -> dict[str, Any]:
    """Three seeds at scale 1 (quick: one seed at 0.2)."""
    seeds = harness.by_mode(SEEDS, quick=SEEDS[:1])
    scale = harness.by_mode(SCALE, quick=0.2)
    runs = [evaluate_seed(seed, scale) for seed in seeds]
    return {"scale": scale, "seeds": list(seeds), "summary": summarise(runs), "per_seed": runs}
