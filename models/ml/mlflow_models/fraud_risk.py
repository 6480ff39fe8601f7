"""MLflow model-from-code: ``grouplake_fraud_risk`` (see :class:`models.ml.pyfunc.FraudRiskPyfunc`)."""

from mlflow.models import set_model

from models.ml.pyfunc import FraudRiskPyfunc

set_model(FraudRiskPyfunc())
