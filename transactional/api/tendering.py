"""``/sourcing-events``: calls for tenders with sealed bids, the bid tabulation and the award
(issue #28). Bids stay sealed until the event is closed: see ``tendering/bids.py``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.api.idempotent import OptionalIdempotencyKey, write_once
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.tendering import (
    AwardContractsCreate,
    BidPublic,
    BidSubmit,
    SourcingEventCreate,
    SourcingEventPublic,
)
from transactional.tendering import awards, bids, contracting, events
from transactional.tendering.tabulation import get_tabulation

router = APIRouter(prefix="/sourcing-events", tags=["sourcing"], responses=ERRORS)
_BASE = "/api/v1/sourcing-events"


@router.post("", status_code=status.HTTP_201_CREATED)
def open_event(body: SourcingEventCreate, context: ContextDep, user: CurrentUser,
               idempotency_key: OptionalIdempotencyKey = None) -> SourcingEventPublic:
    """Open a call for tenders (procurement, admin of a unit): lines (SKU or free-text item
    with specification, quantity, need-by date, delivery warehouse), invited suppliers (with
    their scorecard score), a closing time and the award rules (max suppliers, max share per
    supplier and line, minimum score, suspended suppliers excluded)."""
    values = body.model_dump()

    def action(session: Any) -> tuple[dict[str, Any], str]:
        out = events.open_event(session, user, values, context.policy)
        return out, str(out["id"])

    return SourcingEventPublic(**write_once(context, user, idempotency_key, "POST", _BASE,
                                            body.model_dump(mode="json"), "sourcing_event",
                                            action))


@router.get("")
def list_events(context: ContextDep, user: CurrentUser, page: PageDep,
                status_: Annotated[Literal["open", "closed", "awarded"] | None,
                                   Query(alias="status")] = None) -> Page[SourcingEventPublic]:
    """Events you may see, newest first (suppliers: those they are invited to). No bids."""
    with context.db.read() as session:
        result = events.list_events(session, user, page, status_)
    return Page[SourcingEventPublic](items=[SourcingEventPublic(**i) for i in result.items],
                                     total=result.total, limit=result.limit, offset=result.offset)


@router.get("/{event_id}")
def get_event(event_id: Id, context: ContextDep, user: CurrentUser) -> SourcingEventPublic:
    """One event (staff of its unit; invited suppliers see only their own invitation)."""
    with context.db.read() as session:
        return SourcingEventPublic(**events.get_event(session, user, event_id))


@router.post("/{event_id}/bids", responses={409: CONFLICT})
def submit_bid(event_id: Id, body: BidSubmit, context: ContextDep, user: CurrentUser,
               idempotency_key: OptionalIdempotencyKey = None) -> BidPublic:
    """Submit or revise your bid (an invited supplier) until the closing time; afterwards
    409 ``bidding_closed`` with the closing time. Sealed: nobody else reads it before the
    event is closed."""
    values = body.model_dump()

    def action(session: Any) -> tuple[dict[str, Any], str]:
        out = bids.submit_bid(session, user, event_id, values)
        return out, str(out["id"])

    return BidPublic(**write_once(context, user, idempotency_key, "POST",
                                  f"{_BASE}/{event_id}/bids", body.model_dump(mode="json"),
                                  "sourcing_bid", action))


@router.get("/{event_id}/bids")
def list_bids(event_id: Id, context: ContextDep, user: CurrentUser,
              page: PageDep) -> Page[BidPublic]:
    """Bids you may read: a supplier its own; staff every bid once closed, none before."""
    with context.db.read() as session:
        result = bids.list_bids(session, user, event_id, page)
    return Page[BidPublic](items=[BidPublic(**i) for i in result.items], total=result.total,
                           limit=result.limit, offset=result.offset)


@router.get("/{event_id}/bids/{bid_id}")
def get_bid(event_id: Id, bid_id: Id, context: ContextDep, user: CurrentUser) -> BidPublic:
    """One bid: its supplier any time; staff of the unit after closing; else 404."""
    with context.db.read() as session:
        return BidPublic(**bids.get_bid(session, user, event_id, bid_id))


@router.post("/{event_id}/close", responses={409: CONFLICT})
def close_event(event_id: Id, context: ContextDep, user: CurrentUser,
                idempotency_key: OptionalIdempotencyKey = None) -> SourcingEventPublic:
    """Close bidding once the closing time has passed (procurement, admin): unseals the bids
    (they go to the outbox). Before the closing time: 409 ``event_not_due``."""
    def action(session: Any) -> tuple[dict[str, Any], str]:
        return events.close_event(session, user, event_id), str(event_id)

    return SourcingEventPublic(**write_once(context, user, idempotency_key, "POST",
                                            f"{_BASE}/{event_id}/close", {}, "sourcing_event",
                                            action))


@router.get("/{event_id}/tabulation", responses={409: CONFLICT})
def tabulation(event_id: Id, context: ContextDep, user: CurrentUser) -> dict[str, Any]:
    """The bid tabulation (比价表): every bid line in landed cost per unit in the group
    currency (FX, freight), ranked per line, with exclusions. Staff, after closing."""
    with context.db.read() as session:
        from transactional.core.jsonable import jsonable
        return jsonable(get_tabulation(session, user, event_id, context.policy))


@router.post("/{event_id}/award", status_code=status.HTTP_201_CREATED,
             responses={409: CONFLICT})
def propose_award(event_id: Id, context: ContextDep, user: CurrentUser,
                  idempotency_key: OptionalIdempotencyKey = None) -> dict[str, Any]:
    """Compute the award of a closed event (procurement, admin): exact MILP over tiers,
    bundle and spend discounts under the rules, explained. Above
    ``OLTP__SOURCING_AWARD_APPROVAL_LIMIT`` it waits for a second person's approval."""
    def action(session: Any) -> tuple[dict[str, Any], str]:
        out = awards.propose_award(session, user, event_id, context.policy)
        return out, str(out["id"])

    return write_once(context, user, idempotency_key, "POST", f"{_BASE}/{event_id}/award", {},
                      "sourcing_award", action)


@router.get("/{event_id}/award")
def get_award(event_id: Id, context: ContextDep, user: CurrentUser) -> dict[str, Any]:
    """The award: staff the whole of it; a bidder its own outcome (rank, its lines) once
    approved."""
    with context.db.read() as session:
        from transactional.core.jsonable import jsonable
        return jsonable(awards.get_award(session, user, event_id))


@router.post("/{event_id}/award/approve", responses={409: CONFLICT})
def approve_award(event_id: Id, context: ContextDep, user: CurrentUser,
                  idempotency_key: OptionalIdempotencyKey = None) -> dict[str, Any]:
    """Approve an award above the limit (procurement, finance, admin of the unit; never the
    user who computed it: 403 ``separation_of_duties``). Tells every bidder its outcome."""
    def action(session: Any) -> tuple[dict[str, Any], str]:
        out = awards.approve_award(session, user, event_id)
        return out, str(out["id"])

    return write_once(context, user, idempotency_key, "POST",
                      f"{_BASE}/{event_id}/award/approve", {}, "sourcing_award", action)


@router.post("/{event_id}/contracts", status_code=status.HTTP_201_CREATED, responses={409: CONFLICT})
def contracts_from_award(event_id: Id, body: AwardContractsCreate, context: ContextDep, user: CurrentUser,
                         idempotency_key: OptionalIdempotencyKey = None) -> dict[str, Any]:
    """Draw up one framework contract per awarded supplier from the approved award
    (procurement, admin of the unit): the supplier's bid tiers, the awarded quantities, the
    event's unit. Each then needs the supplier's signature and a second person's approval
    (`/contracts/{id}/sign`, `/approve`). 409 ``award_not_approved`` / ``contracts_exist``;
    422 ``free_text_line`` for an awarded line without a catalogue SKU."""
    def action(session: Any) -> tuple[dict[str, Any], str]:
        made = contracting.contracts_from_award(session, user, event_id, valid_from=body.valid_from,
                                                valid_to=body.valid_to)
        return {"event_id": event_id, "contracts": made}, str(event_id)

    return write_once(context, user, idempotency_key, "POST", f"{_BASE}/{event_id}/contracts",
                      body.model_dump(mode="json"), "sourcing_award", action)
