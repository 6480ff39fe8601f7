"""MLflow pyfunc wrappers, so ``mlflow.pyfunc.load_model("models:/<name>@champion")`` works.

Each wrapper loads the bundle file logged as the model's ``bundle`` artifact
(:mod:`models.ml.bundle`) and delegates to the fitted object. The serving API may use either
these (``predict``) or the bundle directly.

* ``grouplake_fraud_risk``: input = feature rows with a ``document_type`` column (the
  columns of :mod:`models.ml.features`), output = ``document_type, document_id, risk_score,
  risk_level, anomaly, reasons, reason_features``.
* ``grouplake_recommender``: input = purchase events (``buyer_id, business_unit_code,
  vendor_id``), candidates = the vendor records the model was fitted with; output = the
  recommendation rows of :mod:`models.ml.recommend.model`.
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
        return self.model.recommend(model_input)
