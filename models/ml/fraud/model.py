"""The fraud-risk model: per document type, an IsolationForest plus a logistic regression.

For each document type (purchase order, AP invoice, payment) the red-flag features
(:mod:`models.ml.features.catalog`) go through

1. an :class:`~sklearn.ensemble.IsolationForest` (unsupervised): how unusual the document is,
   as the percentile of its anomaly score among the training documents (``anomaly``);
2. when confirmed cases exist for the type, a :class:`~sklearn.linear_model.LogisticRegression`
   on the standardised features plus ``anomaly`` plus ``red_flags`` (how many of the auditors'
   rules fired: what lets a pattern with few or no confirmed cases still score): the risk
   score is its probability, and the reasons are the features with the largest positive
   contributions (coefficient x standardised value; ``red_flags`` shared among its flags);
3. without (enough) cases, the unsupervised fallback: each red flag fired adds its surprisal
   ``-ln(share of training documents where it fires)`` (a flag that almost never fires, such
   as a self-approval, weighs more than one that often does) plus the anomaly percentile;
   risk = ``1 - exp(-evidence / ln n)`` (one never-seen flag gives 0.63), reasons = the flags.

Scores are in [0, 1]; :data:`LEVELS` turns them into low / medium / high.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from models.ml.features.catalog import CATALOGS, FEATURES
from models.ml.fraud.forest import FlatForest

#: bumped whenever a fitted model from older code cannot be scored by this code (retrain).
RECIPE_VERSION = 1
#: (lower bound, level), highest first.
LEVELS: tuple[tuple[float, str], ...] = ((0.5, "high"), (0.1, "medium"), (0.0, "low"))
#: a feature is named as a reason only if it adds at least this much to the log-odds.
MIN_REASON_LOGIT = 0.5
#: up to this many rows, anomaly scores come from the plain-Python copy of the forest.
FLAT_ROWS = 16
ANOMALY_REASON = "unusual combination of values (anomaly percentile {anomaly:.1%})"


def risk_level(score: float) -> str:
    """``"high"``, ``"medium"`` or ``"low"`` for a score in [0, 1]."""
    for bound, level in LEVELS:
        if score >= bound:
            return level
    return "low"


@dataclass(frozen=True)
class FraudModelParams:
    """Hyperparameters (logged to MLflow).

    Args:
        n_estimators: trees of the IsolationForest.
        c: inverse L2 strength of the logistic regression.
        class_weight: ``None`` (probabilities follow the base rate) or ``"balanced"``.
        min_positives: fewer confirmed cases than this for a type -> unsupervised fallback.
        max_reasons: reasons kept per document.
        seed: random state of the forest.
    """

    n_estimators: int = 100
    c: float = 1.0
    class_weight: str | None = None
    min_positives: int = 10
    max_reasons: int = 3
    seed: int = 42


@dataclass
class DocumentModel:
    """The fitted model of one document type."""

    document_type: str
    features: tuple[str, ...]
    forest: object
    reference: np.ndarray  # sorted training anomaly scores (for percentiles)
    scaler: object | None = None
    classifier: object | None = None
    positives: int = 0
    flag_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))  # surprisal of each red flag
    flat: FlatForest | None = None  # the forest for a few rows at a time (online scoring)

    @property
    def supervised(self) -> bool:
        return self.classifier is not None

    def design(self, frame: pd.DataFrame) -> np.ndarray:
        """The raw feature matrix (missing values as 0)."""
        return frame.reindex(columns=list(self.features)).astype(float).fillna(0.0).to_numpy()

    def anomaly(self, x: np.ndarray) -> np.ndarray:
        """Percentile of each row's anomaly score among the training documents (0..1)."""
        flat = getattr(self, "flat", None)
        raw = -(flat.score_samples(x) if flat is not None and len(x) <= FLAT_ROWS else self.forest.score_samples(x))
        return np.searchsorted(self.reference, raw, side="right") / max(len(self.reference), 1)

    def flags_fired(self, x: np.ndarray) -> np.ndarray:
        """1 where a feature reaches its red-flag value (catalogue ``flag``), else 0."""
        flags = np.array([_flag(CATALOGS[self.document_type][f].flag) for f in self.features])
        return (x >= flags).astype(float)

    def inputs(self, x: np.ndarray, anomaly: np.ndarray) -> np.ndarray:
        """Classifier inputs: the features, ``anomaly`` and ``red_flags`` (how many flags fired)."""
        return np.column_stack([x, anomaly, self.flags_fired(x).sum(axis=1)])

    def contributions(self, x: np.ndarray, anomaly: np.ndarray) -> np.ndarray:
        """Per-row, per-input log-odds contributions (features, ``anomaly``, ``red_flags``).

        Supervised: coefficient x standardised value. Unsupervised: each fired red flag's
        surprisal (``flag_weights``), plus the anomaly percentile (``red_flags`` adds nothing).
        """
        if self.supervised:
            return self.scaler.transform(self.inputs(x, anomaly)) * self.classifier.coef_[0]
        return np.column_stack([self.flags_fired(x) * self.flag_weights, anomaly, np.zeros(len(x))])

    def reason_weights(self, x: np.ndarray, anomaly: np.ndarray) -> np.ndarray:
        """Contributions that may be named as reasons: a risk-raising feature above its usual value.

        The weight of ``red_flags`` is shared out among the flags that fired.
        """
        contrib = self.contributions(x, anomaly)
        if not self.supervised:
            return contrib
        scaled = self.scaler.transform(self.inputs(x, anomaly))
        weights = np.where((scaled > 0) & (self.classifier.coef_[0] > 0), contrib, 0.0)
        fired = self.flags_fired(x)
        share = weights[:, -1:] / np.maximum(fired.sum(axis=1, keepdims=True), 1)
        weights[:, : len(self.features)] += fired * share
        weights[:, -1] = 0.0
        return weights

    def risk(self, x: np.ndarray, anomaly: np.ndarray) -> np.ndarray:
        """Risk scores in [0, 1]."""
        if self.supervised:
            return self.classifier.predict_proba(self.scaler.transform(self.inputs(x, anomaly)))[:, 1]
        evidence = self.contributions(x, anomaly).sum(axis=1)
        return 1.0 - np.exp(-evidence / max(float(self.flag_weights.max(initial=0.0)), 1.0))


def _flag(value: float | None) -> float:
    return np.inf if value is None else float(value)


@dataclass
class FraudRiskModel:
    """Document models by type, with what they were trained on."""

    params: FraudModelParams
    models: dict[str, DocumentModel] = field(default_factory=dict)
    trained_until: str = ""
    snapshot: object | None = None  # models.ml.fraud.snapshot.OrderSnapshot, for online scoring
    recipe_version: int = RECIPE_VERSION

    def score(self, frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
        """Score every document of ``frames`` (document type -> feature frame).

        Returns:
            ``document_type, document_id, risk_score, risk_level, anomaly, reasons,
            reason_features`` (reasons: list of sentences, most important first).
        """
        self._check_recipe()
        parts = [self._score_one(t, frame) for t, frame in frames.items() if t in self.models and len(frame)]
        columns = ["document_type", "document_id", "risk_score", "risk_level", "anomaly", "reasons", "reason_features"]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def score_one(self, document_type: str, vector: dict[str, float], row: dict) -> tuple[float, list[str]]:
        """Risk and reasons of one document from its feature vector (no pandas: online scoring).

        Args:
            document_type: the document model to use.
            vector: feature name -> value (missing features count as 0).
            row: the values the reason sentences may mention (amounts, ids).
        """
        self._check_recipe()
        model = self.models[document_type]
        x = np.array([[float(vector.get(f, 0.0) or 0.0) for f in model.features]])
        anomaly = model.anomaly(x)
        risk = float(np.clip(model.risk(x, anomaly), 0.0, 1.0)[0])
        weights = _shown_weights(model, model.reason_weights(x, anomaly))
        _, sentences = self._reasons(model, weights[0], {**row, **vector}, float(anomaly[0]))
        return risk, sentences

    def _check_recipe(self) -> None:
        if getattr(self, "recipe_version", 0) != RECIPE_VERSION:
            raise ValueError(f"model recipe v{getattr(self, 'recipe_version', 0)} cannot be scored by this code "
                             f"(v{RECIPE_VERSION}): retrain it (grouplake ml train --model fraud)")

    def _reasons(self, model: DocumentModel, weights: np.ndarray, row: dict, anomaly: float
                 ) -> tuple[list[str], list[str]]:
        names = [*model.features, "anomaly", "red_flags"]
        catalog = CATALOGS[model.document_type]
        order = np.argsort(-weights, kind="stable")[: self.params.max_reasons]
        picked = [names[j] for j in order if weights[j] > 0]
        row = {**row, "anomaly": anomaly}
        return picked, [ANOMALY_REASON.format(anomaly=anomaly) if n == "anomaly" else catalog[n].explain(row)
                        for n in picked]

    def _score_one(self, document_type: str, frame: pd.DataFrame) -> pd.DataFrame:
        model = self.models[document_type]
        x = model.design(frame)
        anomaly = model.anomaly(x)
        risk = np.clip(model.risk(x, anomaly), 0.0, 1.0)
        weights = _shown_weights(model, model.reason_weights(x, anomaly))
        reasons: list[list[str]] = [[] for _ in range(len(frame))]
        reason_features: list[list[str]] = [[] for _ in range(len(frame))]
        rows_with_reasons = np.flatnonzero(weights.max(axis=1, initial=0.0) > 0)
        records = frame.iloc[rows_with_reasons].to_dict("records")
        for i, row in zip(rows_with_reasons, records, strict=True):
            reason_features[i], reasons[i] = self._reasons(model, weights[i], row, float(anomaly[i]))
        return pd.DataFrame({
            "document_type": document_type,
            "document_id": frame["document_id"].astype(str).to_numpy(),
            "risk_score": risk,
            "risk_level": [risk_level(r) for r in risk],
            "anomaly": anomaly,
            "reasons": reasons,
            "reason_features": reason_features,
        })


def _shown_weights(model: DocumentModel, weights: np.ndarray) -> np.ndarray:
    """Weights of the inputs that may be named (above the threshold, with a reason sentence)."""
    catalog = CATALOGS[model.document_type]
    names = [*model.features, "anomaly", "red_flags"]
    shown = np.array([n == "anomaly" or (n in catalog and bool(catalog[n].reason)) for n in names])
    threshold = MIN_REASON_LOGIT if model.supervised else 0.999
    return np.where(shown & (weights >= threshold), weights, 0.0)


def fit_document_model(
    document_type: str, frame: pd.DataFrame, labels: np.ndarray | None, params: FraudModelParams
) -> DocumentModel:
    """Fit the model of one document type.

    Args:
        document_type: ``purchase_order``, ``ap_invoice`` or ``payment``.
        frame: its feature frame (training documents only).
        labels: 0/1 per row (confirmed case), or ``None`` (unsupervised).
        params: hyperparameters.
    """
    from sklearn.ensemble import IsolationForest
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    features = FEATURES[document_type]
    model = DocumentModel(document_type, features, forest=None, reference=np.zeros(0))
    x = model.design(frame)
    model.forest = IsolationForest(n_estimators=params.n_estimators, random_state=params.seed).fit(x)
    model.reference = np.sort(-model.forest.score_samples(x))
    model.flat = FlatForest.from_forest(model.forest)
    share = model.flags_fired(x).mean(axis=0) if len(x) else np.zeros(len(features))
    model.flag_weights = -np.log(np.maximum(share, 1.0 / max(len(x), 2)))
    positives = int(labels.sum()) if labels is not None else 0
    model.positives = positives
    if labels is None or positives < params.min_positives or positives == len(labels):
        return model
    full = model.inputs(x, model.anomaly(x))
    model.scaler = StandardScaler().fit(full)
    model.classifier = LogisticRegression(C=params.c, class_weight=params.class_weight, max_iter=2000).fit(
        model.scaler.transform(full), labels.astype(int)
    )
    return model


def fit_fraud_model(
    frames: Mapping[str, pd.DataFrame],
    params: FraudModelParams | None = None,
    trained_until: str = "",
) -> FraudRiskModel:
    """Fit every document type present in ``frames``.

    Args:
        frames: document type -> feature frame; a ``label`` column (0/1) makes that type
            supervised (see :func:`models.ml.fraud.labels.attach_labels`).
        params: hyperparameters.
        trained_until: last document date of the training data (recorded in the model).

    Example:
        >>> model = fit_fraud_model({"purchase_order": order_frame})  # doctest: +SKIP
        >>> model.score({"purchase_order": order_frame}).head(3)  # doctest: +SKIP
    """
    params = params or FraudModelParams()
    model = FraudRiskModel(params=params, trained_until=trained_until)
    for document_type, frame in frames.items():
        if not len(frame):
            continue
        labels = frame["label"].to_numpy() if "label" in frame else None
        model.models[document_type] = fit_document_model(document_type, frame, labels, params)
    return model
