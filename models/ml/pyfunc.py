"""MLflow pyfunc wrappers, so ``mlflow.pyfunc.load_model("models:/<name>@champion")`` works.

Each wrapper loads the bundle file logged as the model's ``bundle`` artifact
(:mod:`models.ml.bundle`) and delegates to the fitted object. The serving API may use either
these (``predict``) or the bundle directly.

* ``grouplake_fraud_risk``: input = feature rows with a ``document_type`` column (the
  columns of :mod:`models.ml.features`), output = ``document_type, document_id, risk_score,
  risk_level, anomaly, reasons, reason_features``.
* ``grouplake_recommender``: input = a purchase history (``customer_id, item_id, order_id,
  ordered_at`` [, ``group_id``]); output = each customer's next-order recommendations with
  score and reason (:meth:`models.ml.recommend.train.RecommenderBundle.recommend`).
* ``grouplake_fraud_online``: input = rows of the online risk features
  (:data:`models.ml.fraud.online.ONLINE_FEATURES`), output = ``risk_score`` per row.
"""

from __future__ import annotations

from typing import Any

import mlflow.pyfunc
import pandas as pd

from models.ml.bundle import load_bundle


class FraudRiskPyfunc(mlflow.pyfunc.PythonModel):
    """``grouplake_fraud_risk`` as a pyfunc."""

    def load_context(self, context: Any) -> None:
        self.model, self.manifest = load_bundle(context.artifacts["bundle"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        frames = {str(t): g for t, g in model_input.groupby("document_type", sort=True)}
        return self.model.score(frames)


class RecommenderPyfunc(mlflow.pyfunc.PythonModel):
    """``grouplake_recommender`` as a pyfunc."""

    def load_context(self, context: Any) -> None:
        self.model, self.manifest = load_bundle(context.artifacts["bundle"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        from models.ml.recommend.transactions import normalise

        k = int((params or {}).get("k", 10))
        return self.model.recommend(normalise(model_input), k)


class OnlineFraudPyfunc(mlflow.pyfunc.PythonModel):
    """``grouplake_fraud_online`` as a pyfunc (the transactional service loads the bundle itself)."""

    def load_context(self, context: Any) -> None:
        self.model, self.manifest = load_bundle(context.artifacts["bundle"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> pd.DataFrame:
        features = list(self.manifest["features"])
        return pd.DataFrame({"risk_score": self.model.predict_proba(model_input[features].to_numpy(float))[:, 1]})
