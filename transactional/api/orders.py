"""``/orders``: place (idempotent, never oversells), read, and move through the lifecycle.

The status-change routes (``/orders/{id}/pay`` …) are generated from the status machine
(``domain/status.TRANSITIONS``): a transition added there gets its route, its role check and
its place in the authorization tests without touching this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from fastapi.responses import JSONResponse

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.api.errors import RateLimitedError
from transactional.api.idempotent import OptionalIdempotencyKey, idempotent_request, write_once
from transactional.core.idempotency import MAX_KEY_LENGTH
from transactional.domain.status import TRANSITIONS, OrderStatus
from transactional.ordering.lifecycle import transition_order
from transactional.ordering.placement import OrderLineRequest, OrderRequest, place_order
from transactional.ordering.queries import get_order, list_orders
from transactional.recommend.attribution import RecommendationRef
from transactional.schemas.common import CONFLICT, ERRORS, RATE_LIMITED
from transactional.schemas.orders import OrderCreate, OrderPublic, OrderTransitionCreate
from transactional.schemas.recommendations import FromRecommendation

router = APIRouter(prefix="/orders", tags=["orders"], responses=ERRORS)

IdempotencyKey = Annotated[str, Header(
    alias="Idempotency-Key", min_length=1, max_length=MAX_KEY_LENGTH,
    description="Unique per intended order: a retry with the same key and body returns the "
                "original response; a different body is refused (422); while the first "
                "request is still running, 409.",
    examples=["5f0c6a1e-order-2026-11-25-0001"],
)]
PATH = "/api/v1/orders"


def _ref(given: FromRecommendation | None) -> RecommendationRef | None:
    return None if given is None else RecommendationRef(given.surface, given.snapshot_version, given.rank)


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=OrderPublic,
    responses={409: CONFLICT, 429: RATE_LIMITED},
    summary="Place an order (reserves stock; idempotent)",
)
def create_order(
    body: OrderCreate, context: ContextDep, user: CurrentUser, idempotency_key: IdempotencyKey
) -> JSONResponse:
    """Place an order for your business unit with one supplier's offers.

    Checks MOQ and order multiples, prices each line by quantity tier, routes each line to
    the supplier's warehouses by stock and shipping cost (splitting a line when one
    warehouse cannot fill it), and reserves the stock, all in one transaction. Not enough
    stock: **409** ``out_of_stock``, nothing reserved. With ``contract_id`` the order is a
    call-off: priced at the contract's tiers, taken off its remaining quantity (409
    ``contract_quantity_exhausted`` / ``contract_expired`` / ``contract_not_signed``).
    Rate-limited per user.
    """
    retry = context.order_limiter.hit(f"order:{user.user_id}")
    if retry is not None:
        raise RateLimitedError("too many orders from this user; slow down", retry)
    key = idempotent_request(context, idempotency_key, "POST", PATH, body.model_dump(mode="json"))
    ship_to = body.ship_to
    request = OrderRequest(
        lines=tuple(OrderLineRequest(line.offer_id, line.quantity, _ref(line.from_recommendation))
                    for line in body.lines),
        ship_to_address=ship_to.address if ship_to else None,
        ship_to_latitude=ship_to.latitude if ship_to else None,
        ship_to_longitude=ship_to.longitude if ship_to else None,
        note=body.note, coupon_code=body.coupon_code, contract_id=body.contract_id,
        points_to_redeem=body.points_to_redeem,
    )
    result = context.db.run_write(lambda s: place_order(s, user, request, key,
                                                        policy=context.policy))
    headers = {"Location": f"{PATH}/{result.order['id']}"}
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(result.order, status_code=result.status_code, headers=headers)


@router.get("", summary="List orders you may see")
def list_orders_route(
    context: ContextDep, user: CurrentUser, page: PageDep,
    status_: Annotated[OrderStatus | None, Query(alias="status")] = None,
    supplier_id: str | None = None,
    business_unit: str | None = None,
    placed_from: Annotated[dt.datetime | None, Query(description="inclusive, ISO-8601")] = None,
    placed_to: Annotated[dt.datetime | None, Query(description="exclusive, ISO-8601")] = None,
) -> Page[OrderPublic]:
    """Newest first. Buyers see their own orders; procurement and finance their unit's;
    suppliers the orders placed with them."""
    for value in (placed_from, placed_to):
        if value is not None and value.tzinfo is None:
            from transactional.domain.errors import ValidationFailedError

            raise ValidationFailedError("placed_from / placed_to need a time zone (e.g. Z)")
    with context.db.read() as session:
        result = list_orders(
            session, user, page, status=status_.value if status_ else None,
            supplier_id=supplier_id, business_unit=business_unit,
            placed_from=placed_from, placed_to=placed_to)
    return Page[OrderPublic](**result.__dict__)


@router.get("/{order_id}", summary="One order")
def get_order_route(order_id: Id, context: ContextDep, user: CurrentUser) -> OrderPublic:
    with context.db.read() as session:
        return OrderPublic(**get_order(session, user, order_id))


def _transition_route(action: str) -> Callable[..., JSONResponse]:
    def handler(
        order_id: Id, context: ContextDep, user: CurrentUser,
        idempotency_key: OptionalIdempotencyKey = None,
        body: OrderTransitionCreate | None = None,
    ) -> JSONResponse:
        reason = body.reason if body else None
        order = write_once(
            context, user, idempotency_key, "POST", f"{PATH}/{order_id}/{action}",
            {"reason": reason}, "order",
            lambda s: (transition_order(s, user, order_id, action, reason=reason),
                       str(order_id)))
        return JSONResponse(order)

    handler.__name__ = f"{action}_order"
    return handler


for _action, _spec in TRANSITIONS.items():
    if not _spec.route:
        continue
    router.add_api_route(
        f"/{{order_id}}/{_action}", _transition_route(_action), methods=["POST"],
        response_model=OrderPublic, responses={409: CONFLICT},
        summary=f"{_action.capitalize()} an order → {_spec.target.value}",
        description=(
            f"Allowed from: {', '.join(sorted(s.value for s in _spec.sources))}; roles: "
            f"{', '.join(sorted(r.value for r in _spec.roles))}. Emits `{_spec.event_type}`"
            + (f"; stock: {_spec.stock.value}." if _spec.stock.value != "none" else ".")
            + (" A `reason` is required." if _spec.reason_required else "")
            + " Any other current status: 409 `illegal_transition`."
        ),
    )
