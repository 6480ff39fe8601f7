"""The commerce settings the services need, as one small immutable object.

Services never read settings themselves (they run under the API, the CLI, the demo run and
tests alike): callers pass a :class:`CommercePolicy`, built from the platform settings by
:meth:`CommercePolicy.from_settings`; :func:`current_policy` builds it from
``get_settings()`` for callers that have nothing better.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from infra.settings import Settings, get_settings
from transactional.domain.money import to_decimal


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


@dataclass(frozen=True)
class CommercePolicy:
    """Limits, currencies and windows of the commerce rules."""

    group_currency: str = "CNY"
    approval_limit_default: Decimal = Decimal(500000)
    approval_limits: dict[str, Decimal] = field(default_factory=dict)
    approval_ttl: dt.timedelta = dt.timedelta(hours=72)
    fx_max_age_days: int = 7
    settlement_currency_default: str = "CNY"
    payment_terms_days: int = 30
    callback_tolerance_s: int = 300
    provider_secret: str = ""
    document_dir: str = ""
    document_max_bytes: int = 10_485_760
    document_types: tuple[str, ...] = ("application/pdf", "image/png", "image/jpeg")
    risk: RiskPolicy = field(default_factory=RiskPolicy)  # the order-path risk guard

    @classmethod
    def from_settings(cls, settings: Settings) -> CommercePolicy:
        """Build from ``settings.oltp`` and the group currency."""
        oltp = settings.oltp
        secret = oltp.payment_provider_secret
        return cls(
            group_currency=settings.group_currency,
            approval_limit_default=to_decimal(oltp.approval_limit_default),
            approval_limits={k: to_decimal(v) for k, v in oltp.approval_limits.items()},
            approval_ttl=dt.timedelta(hours=oltp.approval_ttl_hours),
            fx_max_age_days=oltp.fx_max_age_days,
            settlement_currency_default=oltp.settlement_currency_default or settings.group_currency,
            payment_terms_days=oltp.payment_terms_days,
            callback_tolerance_s=oltp.payment_callback_tolerance_s,
            provider_secret=secret.get_secret_value() if secret else "",
            document_dir=oltp.document_dir,
            document_max_bytes=oltp.document_max_bytes,
            document_types=tuple(oltp.document_types),
            risk=RiskPolicy.from_settings(settings),
        )


def current_policy() -> CommercePolicy:
    """The policy of the process-wide settings."""
    return CommercePolicy.from_settings(get_settings())
