"""The risk review: procurement or finance decide an order the risk guard held (four eyes).

``cleared``: the order is released, to ``placed`` (or to ``pending_approval`` when it also
needs its unit's approval). ``confirmed_fraud``: the order is refused (``rejected``, stock
released; a reason is required). The reviewer is never the order's buyer. The outcome is
stored on ``order_risk``, audited, and emitted as ``order.risk_reviewed`` through the outbox
with the verdict it decides, so the lake can turn it into a training label
(``models/ml/fraud/labels.py``) next to the audit team's CSV.
"""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.core.policy import Action, authorize, require_checker
from transactional.db.tables.ordering import order_approvals
from transactional.db.tables.risk import order_risk
from transactional.db.types import utcnow
from transactional.domain.errors import IllegalTransitionError
from transactional.domain.principal import Principal, Role
from transactional.domain.status import REVIEW_STATUS
from transactional.ordering import approvals
from transactional.ordering.lifecycle import transition_order
from transactional.ordering.queries import load_order_row

Outcome = Literal["cleared", "confirmed_fraud"]
OUTCOMES = ("cleared", "confirmed_fraud")
REVIEWED_EVENT = "order.risk_reviewed"
REVIEWERS = (Role.PROCUREMENT, Role.FINANCE, Role.ADMIN)  # = PERMISSIONS[Action.ORDER_RISK_REVIEW]


def decide(session: Session, actor: Principal, order_id: int, outcome: Outcome, reason: str | None
           ) -> dict[str, Any]:
    """Record the review of a held order and release or refuse it.

    Returns:
        The order's snapshot after the decision.

    Raises:
        ForbiddenError: not procurement/finance/admin, or the caller placed the order (403,
            ``separation_of_duties``).
        NotFoundError: the order is absent or outside the caller's scope (404).
        IllegalTransitionError: the order is not waiting for a risk review (409).
        ValidationFailedError ``reason_required``: ``confirmed_fraud`` without a reason (422).
    """
    authorize(actor, Action.ORDER_RISK_REVIEW)
    row = load_order_row(session, actor, order_id, lock=True)
    require_checker(actor, Action.ORDER_RISK_REVIEW, row.buyer_user_id)  # never the buyer (403)
    verdict = session.execute(select(order_risk).where(order_risk.c.order_id == order_id)).first()
    if row.status != REVIEW_STATUS.value or verdict is None:
        raise IllegalTransitionError(f"order {order_id} is {row.status}, not waiting for a risk review",
                                     details={"status": row.status})
    if outcome == "confirmed_fraud":
        approvals.require_reason("refuse", reason)
        action = "refuse"
    else:
        waiting = session.execute(select(order_approvals.c.order_id).where(
            order_approvals.c.order_id == order_id, order_approvals.c.status == "pending")).first()
        action = "release_to_approval" if waiting is not None else "release"
    now = utcnow()
    session.execute(update(order_risk).where(order_risk.c.order_id == order_id).values(
        review_outcome=outcome, reviewed_by=actor.user_id, reviewed_at=now, review_reason=reason))
    snapshot = transition_order(session, actor, order_id, action, reason=reason)
    label = jsonable({
        "order_id": order_id, "outcome": outcome, "is_fraud": outcome == "confirmed_fraud",
        "reason": reason, "decided_by": actor.user_id, "decided_role": actor.role.value, "decided_at": now,
        "action": action, "business_unit": row.business_unit, "buyer_user_id": row.buyer_user_id,
        "supplier_id": row.supplier_id, "total_amount": row.total_amount, "currency": row.currency,
        "placed_at": row.placed_at,
        "verdict": {"score": verdict.score, "level": verdict.level, "decision": verdict.decision,
                    "model_version": verdict.model_version, "profile_version": verdict.profile_version,
                    "reasons": verdict.reasons},
    })
    audit.record(session, actor, "order.risk_review", "order", order_id, business_unit=row.business_unit,
                 details={"outcome": outcome, "reason": reason, "action": action})
    events.emit(session, REVIEWED_EVENT, "order", order_id, label, business_unit=row.business_unit,
                supplier_id=row.supplier_id, json_ready=True)
    return snapshot
