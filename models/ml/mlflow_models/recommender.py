"""MLflow model-from-code: ``grouplake_recommender`` (see :class:`models.ml.pyfunc.RecommenderPyfunc`)."""

from mlflow.models import set_model

from models.ml.pyfunc import RecommenderPyfunc

set_model(RecommenderPyfunc())
