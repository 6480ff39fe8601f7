"""Forecast assets (issue #16): demand per unit x SKU and late-delivery risk per supplier x SKU.

``["ml", "demand_forecast_model"]`` and ``["ml", "delivery_risk_model"]`` evaluate on the later
period against the naive baselines, refit on the whole history, register a version in MLflow
and apply the floor + champion rule; their blocking checks stop the gold assets below in the
same run. ``["gold", "ml_demand_forecast"]`` and ``["gold", "ml_delivery_risk"]`` score with the
*champion*, validate the rows and publish one Delta commit each. Reads are refused when an
isolating check upstream did not pass (``_lake``). Thin adapters: the work is in
:mod:`models.ml.forecast.train`.
"""

from __future__ import annotations

import dagster as dg

from infra.settings import get_settings
from models.ml.forecast.gold import (
    DELIVERY_CHECKS,
    DELIVERY_RISK_SCHEMA,
    DEMAND_CHECKS,
    DEMAND_FORECAST_SCHEMA,
    delivery_problems,
    demand_problems,
)
from models.ml.forecast.history import ERP_ENTITIES
from orchestration.ml.assets import OWNERS, RETRY, _lake, _model_result, _publish, _schema
from orchestration.ml.checks import gold_check_specs, model_check_specs

DEMAND_MODEL_KEY = dg.AssetKey(["ml", "demand_forecast_model"])
DELIVERY_MODEL_KEY = dg.AssetKey(["ml", "delivery_risk_model"])
DEMAND_GOLD_KEY = dg.AssetKey(["gold", "ml_demand_forecast"])
DELIVERY_GOLD_KEY = dg.AssetKey(["gold", "ml_delivery_risk"])

ERP_DEPS = [dg.AssetKey(["bronze", "erp", entity]) for entity in ERP_ENTITIES]
DEMAND_DEPS = [*ERP_DEPS, dg.AssetKey(["bronze", "wms", "stock_snapshots"])]
DELIVERY_DEPS = [*ERP_DEPS, dg.AssetKey(["bronze", "erp", "supplier_offers"])]


@dg.asset(
    key=DEMAND_MODEL_KEY, deps=ERP_DEPS, group_name="ml", kinds={"mlflow", "scikitlearn"}, owners=OWNERS,
    required_resource_keys={"lake"}, retry_policy=RETRY,
    check_specs=model_check_specs(DEMAND_MODEL_KEY, "held-out WAPE <= the better naive forecast's (last value, "
                                                      "seasonal naive); not judged with fewer than 30 held-out cells"),
    description="Weekly demand per business unit x SKU (thin SKUs pooled per category), next 4 weeks: gradient "
                "boosting on lags, rolling means and seasonality, judged on the last 12 weeks against naive "
                "forecasts, registered in MLflow as grouplake_demand_forecast.",
)
def demand_forecast_model(context) -> dg.MaterializeResult:
    """Train, evaluate and register the demand forecast."""
    from models.ml.forecast.train import demand_floor, train_demand_model

    outcome = train_demand_model(get_settings(), con=_lake(context))
    context.log.info(f"grouplake_demand_forecast v{outcome.registered.version}: {outcome.decision.reason}")
    return _model_result(outcome, demand_floor(outcome.metrics))


@dg.asset(
    key=DELIVERY_MODEL_KEY, deps=DELIVERY_DEPS, group_name="ml", kinds={"mlflow", "scikitlearn"}, owners=OWNERS,
    required_resource_keys={"lake"}, retry_policy=RETRY,
    check_specs=model_check_specs(DELIVERY_MODEL_KEY, "held-out log loss <= the vendor's historical late rate's; "
                                                        "not judged with fewer than 30 held-out lines"),
    description="Late-delivery risk per supplier x SKU from delivery records, the company's record in other "
                "units, lead-time spread and shipment telemetry, judged on the last 90 days against the vendor's "
                "late rate, registered in MLflow as grouplake_delivery_risk.",
)
def delivery_risk_model(context) -> dg.MaterializeResult:
    """Train, evaluate and register the late-delivery risk model."""
    from models.ml.forecast.train import delivery_floor, train_delivery_model

    outcome = train_delivery_model(get_settings(), con=_lake(context))
    context.log.info(f"grouplake_delivery_risk v{outcome.registered.version}: {outcome.decision.reason}")
    return _model_result(outcome, delivery_floor(outcome.metrics))


@dg.asset(
    key=DEMAND_GOLD_KEY, deps=[DEMAND_MODEL_KEY, *DEMAND_DEPS], group_name="ml", kinds={"delta"}, owners=OWNERS,
    required_resource_keys={"lake"}, check_specs=gold_check_specs(DEMAND_GOLD_KEY, DEMAND_CHECKS),
    description="Per business unit x SKU (or pooled category) and week: the next 4 weeks' demand with an "
                "interval, cumulative forecast, WMS stock, proposed requisition (forecast - stock) and the likely "
                "best-seller flag; model version (the champion). Published to `<lake>/gold/ml_demand_forecast`.",
    metadata={"path": "gold/ml_demand_forecast", "sql_name": "gold.ml_demand_forecast",
              "dagster/column_schema": _schema(DEMAND_FORECAST_SCHEMA)},
)
def ml_demand_forecast(context) -> dg.MaterializeResult:
    """Forecast with the champion and publish ``gold.ml_demand_forecast``."""
    from models.ml.forecast.demand import HORIZON
    from models.ml.forecast.train import score_demand

    rows, version = score_demand(get_settings(), con=_lake(context))
    return _publish(context, rows, DEMAND_FORECAST_SCHEMA, "gold/ml_demand_forecast", "gold.ml_demand_forecast",
                    "Demand forecast per unit x SKU and week (grouplake_demand_forecast champion)", version,
                    demand_problems(rows, HORIZON), DEMAND_CHECKS)


@dg.asset(
    key=DELIVERY_GOLD_KEY, deps=[DELIVERY_MODEL_KEY, *DELIVERY_DEPS], group_name="ml", kinds={"delta"},
    owners=OWNERS, required_resource_keys={"lake"}, check_specs=gold_check_specs(DELIVERY_GOLD_KEY, DELIVERY_CHECKS),
    description="Per ERP vendor x SKU ordered or offered: probability of delivering after the promised date, the "
                "vendor's historical late rate, open and overdue lines; model version (the champion). Published to "
                "`<lake>/gold/ml_delivery_risk`; read by the supplier 360 and the sourcing optimiser's offers.",
    metadata={"path": "gold/ml_delivery_risk", "sql_name": "gold.ml_delivery_risk",
              "dagster/column_schema": _schema(DELIVERY_RISK_SCHEMA)},
)
def ml_delivery_risk(context) -> dg.MaterializeResult:
    """Score every (vendor, SKU) with the champion and publish ``gold.ml_delivery_risk``."""
    from models.ml.forecast.train import score_delivery

    rows, version = score_delivery(get_settings(), con=_lake(context))
    return _publish(context, rows, DELIVERY_RISK_SCHEMA, "gold/ml_delivery_risk", "gold.ml_delivery_risk",
                    "Late-delivery risk per vendor x SKU (grouplake_delivery_risk champion)", version,
                    delivery_problems(rows), DELIVERY_CHECKS)


forecast_assets = [demand_forecast_model, delivery_risk_model, ml_demand_forecast, ml_delivery_risk]
