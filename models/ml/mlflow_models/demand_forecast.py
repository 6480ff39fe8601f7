"""MLflow model-from-code: ``grouplake_demand_forecast`` (see :class:`models.ml.forecast.pyfunc.DemandForecastPyfunc`)."""

from mlflow.models import set_model

from models.ml.forecast.pyfunc import DemandForecastPyfunc

set_model(DemandForecastPyfunc())
