"""The online fraud model the transactional service scores orders with (``grouplake_fraud_online``).

Its features are the ones the service computes at placement from the order, the buyer's recent
orders and the lake's history profiles (``transactional/risk/rules.py`` ``FEATURES``; the
names are repeated here because ``models`` never imports the service, and a test keeps the two
equal). :func:`fit_online` fits a class-balanced logistic regression on labelled examples;
:func:`register_online` logs it to MLflow as a bundle (``features`` in the manifest), tags the
new version ``challenger`` and moves ``champion`` to it only if its held-out PR-AUC is not
worse than the champion's (:func:`models.ml.registry.promote_if_not_worse`, logged as tags).

Out of scope here (issue #14 items 3-4): training examples from the lake's platform orders
and review labels, the honest evaluation (leave-one-scheme-out, later period, seeds) and the
order-path benchmark. The training path exists so the service's load / refresh / fallback
path runs against a real registry.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

ONLINE_MODEL_NAME = "grouplake_fraud_online"
ONLINE_FEATURES = ("log_amount", "amount_to_limit", "split_count", "split_sum_to_limit", "velocity_count",
                   "quantity_to_history", "amount_to_history", "price_to_market", "new_supplier", "has_history")
PRIMARY_METRIC = "pr_auc"
CHALLENGER_ALIAS = "challenger"


def fit_online(train: pd.DataFrame, test: pd.DataFrame, *, seed: int = 0) -> tuple[Any, dict[str, float]]:
    """Fit on ``train`` (:data:`ONLINE_FEATURES` + ``label``), measure PR-AUC on ``test``.

    Returns:
        The fitted estimator (``predict_proba``) and ``{"pr_auc", "positives", "rows"}``.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    columns = list(ONLINE_FEATURES)
    estimator = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced", max_iter=1000,
                                                                   random_state=seed))
    estimator.fit(train[columns].to_numpy(float), train["label"].to_numpy(int))
    scores = estimator.predict_proba(test[columns].to_numpy(float))[:, 1]
    metrics = {"pr_auc": float(average_precision_score(test["label"].to_numpy(int), scores)),
               "positives": float(train["label"].sum()), "rows": float(len(train))}
    return estimator, metrics


def register_online(settings: Any, estimator: Any, metrics: dict[str, float], *,
                    name: str = ONLINE_MODEL_NAME, features: tuple[str, ...] = ONLINE_FEATURES) -> tuple[str, bool, str]:
    """Log and register ``estimator``; tag it ``challenger``; promote it by the champion rule.

    Returns:
        ``(version, promoted, reason)``.
    """
    from models.ml import mlflow_models
    from models.ml.bundle import BUNDLE_FILE, save_bundle
    from models.ml.registry import client, log_training, promote_if_not_worse, registry_lock

    with tempfile.TemporaryDirectory() as tmp:
        bundle = save_bundle(Path(tmp) / BUNDLE_FILE, estimator,
                             {"model_name": name, "features": list(features), "primary_metric": PRIMARY_METRIC})
        with registry_lock(settings):
            registered = log_training(settings, model_name=name, python_model=mlflow_models.FRAUD_ONLINE,
                                      bundle_path=bundle, params={"estimator": "logistic_regression",
                                                                  "features": ",".join(features)},
                                      metrics=metrics)
            mlflow_client = client(settings)
            mlflow_client.set_registered_model_alias(name, CHALLENGER_ALIAS, registered.version)
            decision = promote_if_not_worse(mlflow_client, name, registered.version, PRIMARY_METRIC)
    return registered.version, decision.promoted, decision.reason
