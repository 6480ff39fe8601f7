"""MLflow pyfunc wrappers of the forecast models (``mlflow.pyfunc.load_model("models:/<name>@champion")``).

* ``grouplake_demand_forecast``: input = order lines (``business_unit_code, sku, category_id,
  order_date, quantity, unit_price``), output = the next weeks' forecast per unit x series
  (:func:`models.ml.forecast.demand.forecast_rows`, no stock).
* ``grouplake_delivery_risk``: input = rows of :data:`models.ml.forecast.delivery.FEATURES`,
  output = ``late_probability`` per row.
"""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
import pandas as pd

from models.ml.bundle import load_bundle


class DemandForecastPyfunc(mlflow.pyfunc.PythonModel):
    """``grouplake_demand_forecast`` as a pyfunc."""

    def load_context(self, context: Any) -> None:
        self.model, self.manifest = load_bundle(context.artifacts["bundle"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        from models.ml.forecast.demand import forecast_rows

        return forecast_rows(self.model, model_input)


class DeliveryRiskPyfunc(mlflow.pyfunc.PythonModel):
    """``grouplake_delivery_risk`` as a pyfunc."""

    def load_context(self, context: Any) -> None:
        self.model, self.manifest = load_bundle(context.artifacts["bundle"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        return pd.DataFrame({"late_probability": self.model.predict(model_input)}, index=model_input.index)
