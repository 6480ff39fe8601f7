"""MLflow model-from-code: ``grouplake_delivery_risk`` (see :class:`models.ml.forecast.pyfunc.DeliveryRiskPyfunc`)."""

from mlflow.models import set_model

from models.ml.forecast.pyfunc import DeliveryRiskPyfunc

set_model(DeliveryRiskPyfunc())
