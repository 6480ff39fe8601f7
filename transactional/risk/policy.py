"""The risk guard's thresholds and windows, as one small immutable object (from settings)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RiskPolicy:
    """See :class:`infra.settings.RiskSettings` for the meaning of each field."""

    enabled: bool = True
    review_threshold: float = 0.5
    block_threshold: float = 0.95
    split_window: dt.timedelta = dt.timedelta(hours=24)
    velocity_window: dt.timedelta = dt.timedelta(minutes=10)
    velocity_max: int = 30
    history_factor: float = 3.0
    history_min_orders: int = 3
    price_factor: float = 1.3
    new_supplier_age: dt.timedelta = dt.timedelta(days=90)
    new_supplier_share: float = 0.5
    model_name: str = "grouplake_fraud_online"
    model_refresh_seconds: float = 60.0
    tracking_uri: str = ""  # MLflow; "" means no registry (rules only)

    @classmethod
    def from_settings(cls, settings: Any) -> RiskPolicy:
        """Build from ``settings.risk`` and ``settings.mlflow.tracking_uri``."""
        r = settings.risk
        return cls(
            enabled=r.enabled, review_threshold=r.review_threshold, block_threshold=r.block_threshold,
            split_window=dt.timedelta(hours=r.split_window_hours),
            velocity_window=dt.timedelta(minutes=r.velocity_window_minutes), velocity_max=r.velocity_max,
            history_factor=r.history_factor, history_min_orders=r.history_min_orders,
            price_factor=r.price_factor, new_supplier_age=dt.timedelta(days=r.new_supplier_days),
            new_supplier_share=r.new_supplier_share, model_name=r.model_name,
            model_refresh_seconds=r.model_refresh_seconds, tracking_uri=settings.mlflow.tracking_uri,
        )

    @property
    def lookback(self) -> dt.timedelta:
        """How far back the recent-order rules look."""
        return max(self.split_window, self.velocity_window)

    def decide(self, score: float) -> str:
        """``allow``, ``review`` or ``block`` for a score in [0, 1]."""
        if score >= self.block_threshold:
            return "block"
        return "review" if score >= self.review_threshold else "allow"

    def level(self, score: float) -> str:
        """``high`` from the review threshold, ``medium`` from half of it, else ``low``."""
        if score >= self.review_threshold:
            return "high"
        return "medium" if score >= self.review_threshold / 2 else "low"
