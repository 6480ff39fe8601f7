"""MLflow model-from-code: ``grouplake_fraud_online`` (see :class:`models.ml.pyfunc.OnlineFraudPyfunc`)."""

from mlflow.models import set_model

from models.ml.pyfunc import OnlineFraudPyfunc

set_model(OnlineFraudPyfunc())
