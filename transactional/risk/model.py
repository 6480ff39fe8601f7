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

    @property
    def label(self) -> str:
        """What the order's ``risk.model_version`` says: ``<name>:<version>``."""
        return f"{self.name}:{self.version}"

    def score(self, vector: Mapping[str, float]) -> float:
        """Probability of fraud in [0, 1] for one feature vector."""
        row = [[float(vector[f]) for f in self.features]]
        return float(self.estimator.predict_proba(row)[0][1])


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
    return _Entry(now, version, OnlineModel(name, version, estimator, features))


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
