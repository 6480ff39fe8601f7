"""The online fraud model: the MLflow ``champion`` of ``risk.model_name``, cached per process.

:func:`champion` answers from memory on the request path. At most every
``risk.model_refresh_seconds`` one request (never two at once; the others keep the cached
model) asks the registry which version holds the ``champion`` alias, and loads it only when
the alias has moved: a promotion takes effect without a restart. No registry (no tracking
URI, or a local sqlite store that does not exist: the service never creates one), no
champion, or any failure to load: ``None``, and the rules decide alone
(``model_version: "rules"``); ordering never waits for or fails with the model.

The registered version must hold a model bundle (``models/ml/bundle.py``) whose manifest
lists ``features`` equal to :data:`transactional.risk.rules.FEATURES` and whose model has
``predict_proba``.
"""

from __future__ import annotations

import logging
import math
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transactional.core.policy import RiskPolicy
from transactional.risk.rules import FEATURES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OnlineModel:
    """A loaded champion: registered name and version, the estimator, its feature order."""

    name: str
    version: str
    estimator: Any
    features: tuple[str, ...]
    #: ``(weights, bias)`` of the same decision function when the estimator is a standardised
    #: binary logistic regression (what ``models/ml/fraud/online.py`` trains): one row scored
    #: in pure Python instead of scikit-learn's per-call validation (~0.6 ms an order).
    linear: tuple[tuple[float, ...], float] | None = None

    @property
    def label(self) -> str:
        """What the order's ``risk.model_version`` says: ``<name>:<version>``."""
        return f"{self.name}:{self.version}"

    def score(self, vector: Mapping[str, float]) -> float:
        """Probability of fraud in [0, 1] for one feature vector."""
        row = [float(vector[f]) for f in self.features]
        if self.linear is not None:
            weights, bias = self.linear
            z = bias + math.fsum(w * x for w, x in zip(weights, row, strict=True))
            return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        return float(self.estimator.predict_proba([row])[0][1])


def linear_form(estimator: Any) -> tuple[tuple[float, ...], float] | None:
    """The standardised logistic regression folded into one weight vector and a bias, or None.

    ``StandardScaler`` then binary ``LogisticRegression`` (a scikit-learn ``Pipeline`` of
    exactly those two steps): ``w_i / scale_i`` and ``b - sum(w_i * mean_i / scale_i)``, so
    ``sigmoid(w' . x + b')`` is the pipeline's ``predict_proba(x)[:, 1]``. Anything else: None
    (scored by the estimator itself).
    """
    steps = getattr(estimator, "steps", None)
    if not steps or len(steps) != 2:
        return None
    scaler, classifier = steps[0][1], steps[1][1]
    if type(scaler).__name__ != "StandardScaler" or type(classifier).__name__ != "LogisticRegression":
        return None
    coef = getattr(classifier, "coef_", None)
    if coef is None or len(coef) != 1 or len(getattr(classifier, "classes_", ())) != 2:
        return None
    n = len(coef[0])
    mean = scaler.mean_ if getattr(scaler, "mean_", None) is not None else [0.0] * n
    scale = scaler.scale_ if getattr(scaler, "scale_", None) is not None else [1.0] * n
    weights = tuple(float(w) / float(sc) for w, sc in zip(coef[0], scale, strict=True))
    bias = float(classifier.intercept_[0]) - math.fsum(
        float(w) * float(m) / float(sc) for w, m, sc in zip(coef[0], mean, scale, strict=True))
    return weights, bias


@dataclass(frozen=True)
class _Entry:
    checked_at: float
    version: str | None
    model: OnlineModel | None


_lock = threading.Lock()
_cache: dict[tuple[str, str], _Entry] = {}


def reset() -> None:
    """Forget every cached champion (tests; a new registry)."""
    with _lock:
        _cache.clear()


def _store_missing(uri: str) -> bool:
    return uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).exists()


def _load(uri: str, name: str, previous: _Entry | None) -> _Entry:
    now = time.monotonic()
    if not uri or _store_missing(uri):
        return _Entry(now, None, None)
    import mlflow

    from models.ml.bundle import BUNDLE_FILE, load_bundle
    from models.ml.registry import champion as champion_version

    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
    current = champion_version(client, name)
    if current is None:
        return _Entry(now, None, None)
    version = str(current.version)
    if previous is not None and previous.version == version and previous.model is not None:
        return _Entry(now, version, previous.model)
    source = client.get_model_version_download_uri(name, version)
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(artifact_uri=source, dst_path=tmp)
        found = sorted(Path(local).rglob(BUNDLE_FILE))
        if not found:
            raise LookupError(f"{name} v{version} has no {BUNDLE_FILE}")
        estimator, manifest = load_bundle(found[0])
    features = tuple(manifest.get("features") or ())
    if set(features) != set(FEATURES) or not hasattr(estimator, "predict_proba"):
        raise ValueError(f"{name} v{version} does not score the online features {FEATURES}")
    log.info("risk model %s v%s loaded", name, version)
    return _Entry(now, version, OnlineModel(name, version, estimator, features, linear_form(estimator)))


def champion(policy: RiskPolicy) -> OnlineModel | None:
    """The cached champion of ``policy.model_name`` (refreshed when due), or None."""
    key = (policy.tracking_uri, policy.model_name)
    entry = _cache.get(key)
    if entry is not None and time.monotonic() - entry.checked_at < policy.model_refresh_seconds:
        return entry.model
    if not _lock.acquire(blocking=False):  # another request is refreshing: use what we have
        return entry.model if entry is not None else None
    try:
        try:
            entry = _load(policy.tracking_uri, policy.model_name, entry)
        except Exception as exc:  # noqa: BLE001 - the model never stops ordering
            log.warning("risk model %s unavailable, rules decide: %s", policy.model_name, exc)
            entry = _Entry(time.monotonic(), None, None)
        _cache[key] = entry
        return entry.model
    finally:
        _lock.release()
