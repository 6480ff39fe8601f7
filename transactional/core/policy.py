"""The commerce settings the services need, and who may take each controlled decision.

Two parts: :class:`CommercePolicy` (limits, currencies, windows) and the authorization
policy of controlled decisions (:data:`PERMISSIONS`, :func:`authorize`,
:func:`require_checker`: maker ≠ checker).

Services never read settings themselves (they run under the API, the CLI, the demo run and
tests alike): callers pass a :class:`CommercePolicy`, built from the platform settings by
:meth:`CommercePolicy.from_settings`; :func:`current_policy` builds it from
``get_settings()`` for callers that have nothing better.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from infra.settings import Settings, get_settings
from transactional.domain.errors import ForbiddenError
from transactional.domain.money import to_decimal
from transactional.domain.principal import Principal, Role


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
    eliminated_supplier_weight: float = 0.6
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
            new_supplier_share=r.new_supplier_share, eliminated_supplier_weight=r.eliminated_supplier_weight,
            model_name=r.model_name,
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
    sanctions_list: str = ""  # the onboarding checks' sanctions / blacklist file (#22)
    risk: RiskPolicy = field(default_factory=RiskPolicy)  # the order-path risk guard
    enforce_elimination: bool = False  # suspended suppliers get no new orders (#18)
    sourcing_award_limit: Decimal = Decimal(1000000)  # awards above it need a checker (#28)
    sourcing_award_time_limit_s: float = 30.0
    rating_edit_window: dt.timedelta = dt.timedelta(hours=168)  # a rating may change this long
    rating_summary_min_count: int = 3  # a supplier sees its means from this many ratings on

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
            sanctions_list=oltp.sanctions_list,
            risk=RiskPolicy.from_settings(settings),
            enforce_elimination=oltp.enforce_elimination,
            sourcing_award_limit=to_decimal(oltp.sourcing_award_approval_limit),
            sourcing_award_time_limit_s=oltp.sourcing_award_time_limit_s,
            rating_edit_window=dt.timedelta(hours=oltp.rating_edit_window_hours),
            rating_summary_min_count=oltp.rating_summary_min_count,
        )


def current_policy() -> CommercePolicy:
    """The policy of the process-wide settings."""
    return CommercePolicy.from_settings(get_settings())


# --- Who may do what, and separation of duties ------------------------------------------
#
# The one place that says which roles may take each controlled decision and which
# decisions need a second person (maker ≠ checker). Services call :func:`authorize` and
# :func:`require_checker`; the role × action matrix test reads nothing from here but
# compares every cell with its own written copy.


class Action(StrEnum):
    """A controlled decision."""

    ORDER_APPROVE = "order.approve"
    ORDER_REJECT = "order.reject"
    ORDER_RISK_REVIEW = "order.risk_review"
    LIMIT_REQUEST = "approval_limit.request"
    LIMIT_CONFIRM = "approval_limit.confirm"
    APPLICATION_SUBMIT = "supplier_application.submit"
    APPLICATION_REVIEW = "supplier_application.review"
    STATEMENT_ISSUE = "statement.issue"
    STATEMENT_CORRECT = "statement.correct"
    AWARD_PROPOSE = "sourcing_award.propose"
    AWARD_APPROVE = "sourcing_award.approve"
    CONTRACT_CREATE = "contract.create"
    CONTRACT_APPROVE = "contract.approve"


_R = Role
#: Roles allowed to take each decision (within their business-unit scope).
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.ORDER_APPROVE: frozenset({_R.PROCUREMENT, _R.ADMIN}),
    Action.ORDER_REJECT: frozenset({_R.PROCUREMENT, _R.ADMIN}),
    Action.ORDER_RISK_REVIEW: frozenset({_R.PROCUREMENT, _R.FINANCE, _R.ADMIN}),
    Action.LIMIT_REQUEST: frozenset({_R.PROCUREMENT, _R.ADMIN}),
    Action.LIMIT_CONFIRM: frozenset({_R.PROCUREMENT, _R.FINANCE, _R.ADMIN}),
    Action.APPLICATION_SUBMIT: frozenset({_R.PROCUREMENT, _R.ADMIN}),
    Action.APPLICATION_REVIEW: frozenset({_R.PROCUREMENT, _R.ADMIN}),
    Action.STATEMENT_ISSUE: frozenset({_R.FINANCE, _R.ADMIN}),
    Action.STATEMENT_CORRECT: frozenset({_R.FINANCE, _R.ADMIN}),
    Action.AWARD_PROPOSE: frozenset({_R.PROCUREMENT, _R.ADMIN}),
    Action.AWARD_APPROVE: frozenset({_R.PROCUREMENT, _R.FINANCE, _R.ADMIN}),
    Action.CONTRACT_CREATE: frozenset({_R.PROCUREMENT, _R.ADMIN}),
    Action.CONTRACT_APPROVE: frozenset({_R.PROCUREMENT, _R.ADMIN}),
}

#: Checker decisions: the maker of what they check may never take them (four eyes).
#: ``order.*``: the buyer who placed the order; ``approval_limit.confirm``: who requested the
#: change; ``supplier_application.review``: the applicant; ``statement.correct``: who issued
#: the statement being corrected; ``sourcing_award.approve``: who computed the award;
#: ``contract.approve``: who drew up the contract.
CHECKER_ACTIONS: frozenset[Action] = frozenset({
    Action.ORDER_APPROVE, Action.ORDER_REJECT, Action.ORDER_RISK_REVIEW, Action.LIMIT_CONFIRM,
    Action.APPLICATION_REVIEW, Action.STATEMENT_CORRECT, Action.AWARD_APPROVE,
    Action.CONTRACT_APPROVE,
})

#: Checker decisions that also need a role other than the maker's (a unit's procurement
#: cannot raise its own limit with a colleague of the same desk).
OTHER_ROLE_ACTIONS: frozenset[Action] = frozenset({Action.LIMIT_CONFIRM})

#: User id of the trusted local principal (``domain.principal.SYSTEM``): CLI and seed loads.
SYSTEM_USER_ID = 0


def may(role: Role, action: Action) -> bool:
    """Whether ``role`` may ever take ``action``."""
    return role in PERMISSIONS[action]


def authorize(actor: Principal, action: Action) -> None:
    """Refuse (403) unless the caller's role may take ``action``.

    Raises:
        ForbiddenError: with ``details.action`` and ``details.allowed_roles``.
    """
    if not may(actor.role, action):
        allowed = sorted(r.value for r in PERMISSIONS[action])
        raise ForbiddenError(
            f"role {actor.role.value!r} may not take the decision {action.value!r}; "
            f"allowed: {', '.join(allowed)}",
            details={"action": action.value, "allowed_roles": allowed})


def require_checker(actor: Principal, action: Action, maker_user_id: int | None,
                    maker_role: Role | str | None = None) -> None:
    """Refuse (403) a checker decision taken by its maker (or, where the policy says so, by
    someone of the maker's role). The trusted local principal checking its own work (demo
    and seed loads) is let through.

    Raises:
        ForbiddenError: code ``separation_of_duties``.
    """
    authorize(actor, action)
    if action not in CHECKER_ACTIONS or maker_user_id is None:
        return
    if actor.user_id == maker_user_id == SYSTEM_USER_ID:
        return
    if actor.user_id == maker_user_id:
        raise ForbiddenError(
            f"separation of duties: {action.value} must be taken by someone other than the "
            "user who made what it checks", code="separation_of_duties",
            details={"action": action.value, "maker_user_id": maker_user_id})
    if action in OTHER_ROLE_ACTIONS and maker_role is not None \
            and Role(maker_role) is actor.role and maker_user_id != SYSTEM_USER_ID:
        raise ForbiddenError(
            f"separation of duties: {action.value} needs a second person of another role "
            f"than {Role(maker_role).value!r}", code="separation_of_duties",
            details={"action": action.value, "maker_role": Role(maker_role).value})
