"""``/risk/reviews``: the queue of orders the risk guard holds, and the review decision."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.api.idempotent import OptionalIdempotencyKey, write_once
from transactional.domain.status import REVIEW_STATUS
from transactional.ordering import reviews
from transactional.ordering.queries import list_orders
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.orders import OrderPublic
from transactional.schemas.risk import RiskReviewCreate

router = APIRouter(prefix="/risk/reviews", tags=["orders"], responses=ERRORS)
PATH = "/api/v1/risk/reviews"


@router.get("", summary="Orders held for a risk review")
def review_queue(context: ContextDep, user: CurrentUser, page: PageDep) -> Page[OrderPublic]:
    """Orders in ``pending_review`` you may see (procurement, finance, admins), newest first,
    each with its ``risk`` reasons."""
    user.require(*reviews.REVIEWERS)
    with context.db.read() as session:
        result = list_orders(session, user, page, status=REVIEW_STATUS.value)
    return Page[OrderPublic](**result.__dict__)


@router.post("/{order_id}", response_model=OrderPublic, responses={409: CONFLICT},
             summary="Decide a held order: cleared (release) or confirmed_fraud (refuse)")
def decide_review(order_id: Id, body: RiskReviewCreate, context: ContextDep, user: CurrentUser,
                  idempotency_key: OptionalIdempotencyKey = None) -> JSONResponse:
    """Procurement, finance or an admin of the order's unit, never its buyer. ``cleared``:
    ``placed`` (or ``pending_approval`` when the order also needs its unit's approval);
    ``confirmed_fraud``: ``rejected``, stock released (reason required). Audited; emits
    ``order.risk_reviewed`` (a training label for the lake). Not held: 409."""
    order = write_once(
        context, user, idempotency_key, "POST", f"{PATH}/{order_id}", body.model_dump(mode="json"), "order",
        lambda s: (reviews.decide(s, user, order_id, body.outcome, body.reason), str(order_id)))
    return JSONResponse(order)
