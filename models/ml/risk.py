"""Online risk scoring of one purchase order, without the lake: ``score_order(features)``.

The transactional service may call this while an order is placed (the lead decides whether
order placement does). It loads the champion fraud-risk model's *bundle* — the purchase-order
model plus the feature snapshot frozen at training time (approval limits, reference rates,
vendor onboarding dates, material median prices) — from the shipped file
``<home>/ml/online/grouplake_fraud_risk.pkl`` (written when the champion moves), or, if that
file is missing, from the MLflow registry (``models:/grouplake_fraud_risk@champion``). Importing
this module imports neither the lake, DuckDB nor MLflow.

Contract — ``features`` keys (unknown keys are ignored):

==============================  ==========================================================
``business_unit_code``          unit placing the order (approval limit from the snapshot)
``vendor_id``                   vendor record (onboarding date from the snapshot; unknown: new)
``buyer_id``                    the buyer
``total_amount``                order total (number or Decimal, >= 0)
``currency``                    ISO-4217 (default: group currency; others need a snapshot rate)
``ordered_at``                  when entered (datetime/ISO string, UTC if naive; default now)
``approval_limit``              optional: overrides the unit's limit (group currency)
``approved_by``, ``approved_at`` optional: the approver and time, if already known
``same_vendor_recent_amounts``  optional: amounts (group currency) of the buyer's other orders
                                to the same vendor within ``split_window_days`` (2) days
``lines``                       optional: ``[{material_id, unit_price, currency?, offer_price?,
                                price_overridden_at?}]``
``vendor_onboarded_at``         optional: overrides the snapshot's onboarding date
==============================  ==========================================================

Returns a :class:`RiskScore` (score in [0, 1], level, reasons, model version). Raises
``ValueError`` for a negative amount or a currency without a rate, and
:class:`ModelUnavailableError` when no champion exists yet.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.ml.registry import FRAUD_MODEL_NAME


class ModelUnavailableError(RuntimeError):
    """No champion fraud-risk model has been trained and shipped yet."""


@dataclass(frozen=True)
class RiskScore:
    """The risk of one order.

    Attributes:
        score: probability-like risk in [0, 1].
        level: ``low`` (< 0.1), ``medium`` (< 0.5) or ``high``.
        reasons: why, most important first (empty when nothing stands out).
        model_version: registered version of ``grouplake_fraud_risk`` that scored it.
        features: the feature vector used (log it next to the decision).
    """

    score: float
    level: str
    reasons: tuple[str, ...]
    model_version: str
    features: dict[str, float]


class OrderRiskScorer:
    """Scores orders with the purchase-order model and snapshot of one bundle."""

    def __init__(self, model: Any, manifest: Mapping[str, Any]):
        if model.snapshot is None or "purchase_order" not in model.models:
            raise ValueError("the bundle has no purchase-order model or no order snapshot")
        self.model = model
        self.manifest = dict(manifest)
        self.version = str(manifest.get("model_version", ""))

    @classmethod
    def from_file(cls, path: Path) -> OrderRiskScorer:
        """Load a bundle file written by the training (see :mod:`models.ml.bundle`)."""
        from models.ml.bundle import load_bundle

        model, manifest = load_bundle(Path(path))
        return cls(model, manifest)

    def features(self, order: Mapping[str, Any]) -> dict[str, float]:
        """The model's feature vector for ``order`` (see the module docstring)."""
        from models.ml.fraud.snapshot import order_feature_vector

        return order_feature_vector(order, self.model.snapshot)

    def score(self, order: Mapping[str, Any]) -> RiskScore:
        """Score one order."""
        from models.ml.fraud.model import risk_level

        vector = self.features(order)
        row = {"document_id": str(order.get("purchase_order_id") or "online"),
               "amount_cny": _amount_cny(vector), "buyer_id": order.get("buyer_id")}
        score, reasons = self.model.score_one("purchase_order", vector, row)
        return RiskScore(score=score, level=risk_level(score), reasons=tuple(reasons),
                         model_version=self.version, features=vector)


def _amount_cny(vector: Mapping[str, float]) -> float:
    import math

    return math.expm1(vector["log_amount_cny"])


def shipped_bundle_path(settings: Any) -> Path:
    """Where the champion's bundle is shipped for online scoring: ``<home>/ml/online/<model>.pkl``."""
    return Path(settings.home) / "ml" / "online" / f"{FRAUD_MODEL_NAME}.pkl"


_lock = threading.Lock()
_cache: dict[str, tuple[float, OrderRiskScorer]] = {}


def load_order_scorer(settings: Any | None = None, *, path: Path | None = None) -> OrderRiskScorer:
    """The scorer of the shipped champion bundle (reloaded when the file changes).

    Args:
        settings: platform settings (default :func:`infra.settings.get_settings`).
        path: an explicit bundle file (e.g. baked into a container image).

    Raises:
        ModelUnavailableError: no shipped bundle and no champion in the registry.
    """
    if path is None:
        from infra.settings import get_settings

        settings = settings or get_settings()
        path = shipped_bundle_path(settings)
        if not path.exists():
            _fetch_champion(settings, path)
    path = Path(path)
    mtime = path.stat().st_mtime
    with _lock:
        cached = _cache.get(str(path))
        if cached is None or cached[0] != mtime:
            cached = (mtime, OrderRiskScorer.from_file(path))
            _cache[str(path)] = cached
        return cached[1]


def _fetch_champion(settings: Any, path: Path) -> None:
    from models.ml.bundle import update_manifest
    from models.ml.registry import download_champion_bundle

    try:
        _, version = download_champion_bundle(settings, FRAUD_MODEL_NAME, path)
    except LookupError as exc:
        raise ModelUnavailableError(str(exc)) from exc
    update_manifest(path, model_version=version)


def score_order(features: Mapping[str, Any], *, scorer: OrderRiskScorer | None = None) -> RiskScore:
    """Risk of one purchase order from its own fields (see the module docstring for the keys).

    Args:
        features: the order.
        scorer: a loaded scorer (default: the shipped champion, :func:`load_order_scorer`).

    Example:
        >>> score_order({"business_unit_code": "BMAT", "vendor_id": "V-BMAT-000008",
        ...              "buyer_id": "U-00054", "total_amount": 1_470_000, "currency": "CNY",
        ...              "same_vendor_recent_amounts": [1_440_000]})  # doctest: +SKIP
        RiskScore(score=0.97, level='high', reasons=('possible split: ...',), ...)
    """
    return (scorer or load_order_scorer()).score(features)
