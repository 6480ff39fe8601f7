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

from infra.settings import Settings, get_settings
from transactional.domain.money import to_decimal


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
    enforce_elimination: bool = False  # suspended suppliers get no new orders (#18)

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
            enforce_elimination=oltp.enforce_elimination,
        )


def current_policy() -> CommercePolicy:
    """The policy of the process-wide settings."""
    return CommercePolicy.from_settings(get_settings())
