"""``/orders/{id}/rating`` (the buyer rates a delivered order once, changes it within the
edit window, reads it) and ``/suppliers/{id}/ratings/summary`` (the supplier's aggregate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status
from fastapi.responses import JSONResponse

from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser
from transactional.api.idempotent import OptionalIdempotencyKey, write_once
from transactional.feedback.ratings import RatingInput, change_rating, get_rating, rate_order
from transactional.feedback.summary import supplier_rating_summary
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.ratings import (
    RatingChange,
    RatingCreate,
    RatingPublic,
    RatingSummaryPublic,
)

orders = APIRouter(prefix="/orders", tags=["ratings"], responses=ERRORS)
suppliers = APIRouter(prefix="/suppliers", tags=["ratings"], responses=ERRORS)
SupplierId = Annotated[str, Path(min_length=1, max_length=64)]
PATH = "/api/v1/orders/{}/rating"


@orders.post("/{order_id}/rating", status_code=status.HTTP_201_CREATED,
             response_model=RatingPublic, responses={409: CONFLICT})
def create_rating(order_id: Id, body: RatingCreate, context: ContextDep, user: CurrentUser,
                  idempotency_key: OptionalIdempotencyKey = None) -> JSONResponse:
    """Rate a delivered order you placed: delivery, quality and service 1-5, an optional
    comment. Once per order (**409** ``already_rated``); before delivery **409**
    ``not_delivered``. Changeable (PUT/PATCH) until ``editable_until``
    (``OLTP__RATING_EDIT_WINDOW_HOURS``)."""
    given = RatingInput(body.delivery_score, body.quality_score, body.service_score, body.comment)
    rating = write_once(context, user, idempotency_key, "POST", PATH.format(order_id),
                        body.model_dump(mode="json"), "order_rating",
                        lambda s: (rate_order(s, user, order_id, given, context.policy), str(order_id)))
    return JSONResponse(rating, status_code=status.HTTP_201_CREATED)


@orders.put("/{order_id}/rating", response_model=RatingPublic, responses={409: CONFLICT})
def replace_rating(order_id: Id, body: RatingCreate, context: ContextDep, user: CurrentUser,
                   idempotency_key: OptionalIdempotencyKey = None) -> JSONResponse:
    """Replace your rating while it is editable (no comment removes it); afterwards **409**
    ``rating_locked`` with the time the window closed."""
    given = RatingInput(body.delivery_score, body.quality_score, body.service_score,
                        body.comment, clear_comment=body.comment is None)
    return JSONResponse(write_once(
        context, user, idempotency_key, "PUT", PATH.format(order_id), body.model_dump(mode="json"),
        "order_rating", lambda s: (change_rating(s, user, order_id, given), str(order_id))))


@orders.patch("/{order_id}/rating", response_model=RatingPublic, responses={409: CONFLICT})
def patch_rating(order_id: Id, body: RatingChange, context: ContextDep, user: CurrentUser,
                 idempotency_key: OptionalIdempotencyKey = None) -> JSONResponse:
    """Change some fields of your rating while it is editable (``"comment": null`` removes
    the comment); afterwards **409** ``rating_locked``."""
    sent = body.model_fields_set
    given = RatingInput(body.delivery_score, body.quality_score, body.service_score, body.comment,
                        clear_comment="comment" in sent and body.comment is None)
    return JSONResponse(write_once(
        context, user, idempotency_key, "PATCH", PATH.format(order_id),
        body.model_dump(mode="json", exclude_unset=True), "order_rating",
        lambda s: (change_rating(s, user, order_id, given), str(order_id))))


@orders.get("/{order_id}/rating")
def read_rating(order_id: Id, context: ContextDep, user: CurrentUser) -> RatingPublic:
    """The order's rating: its buyer, the unit's procurement and admins. Suppliers never see
    a single rating (403): they read their aggregate."""
    with context.db.read() as session:
        return RatingPublic(**get_rating(session, user, order_id))


@suppliers.get("/{supplier_id}/ratings/summary")
def rating_summary(supplier_id: SupplierId, context: ContextDep,
                   user: CurrentUser) -> RatingSummaryPublic:
    """How buyers rate the supplier: count and mean scores, never who rated or any single
    rating. The supplier itself (every unit; means from ``OLTP__RATING_SUMMARY_MIN_COUNT``
    ratings on), procurement and admins (their unit's orders; group admins all)."""
    with context.db.read() as session:
        return RatingSummaryPublic(**supplier_rating_summary(session, user, supplier_id,
                                                             context.policy))
