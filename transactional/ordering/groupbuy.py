"""Group-buying (拼团): a deal fills with reservations, then becomes orders or is released.

A *deal* (finance or admins of a unit) offers one offer's SKU at ``group_price`` once
``target`` units (``target_kind = quantity``) or buyers (``participants``) have joined before
``deadline``. Its state machine lives in the database (``group_buy_deals.status``)::

    open ──(target reached by a join)──▶ filled ──(every participant ordered)──▶ completed
    open ──(deadline passed, settle)───▶ releasing ──(every hold released)───▶ failed

**Joining** (buyers, procurement of the unit) is one transaction: one conditional update of the
deal's counters (``… WHERE status = 'open' AND deadline > now AND joined + q <= target``; the
join that reaches the target also sets ``filled`` in the same statement; ``CHECK joined <=
target`` as the last line of defence), the participant row (one per buyer and deal) and the
reservation of its stock (``ordering/reservation.py``, the same conditional updates as an
order; out of stock: nothing joined). However many buyers race, the deal never holds more
than its target nor the warehouses more than their stock.

**Settling** (:func:`settle_deal`; the join that fills a deal, ``POST /group-buys/{id}/settle``
and ``grouplake tx settle-group-buys`` all call it) moves the state machine on, one
participant per transaction: a participant's conditional update (``reserved → ordered`` or
``→ released``) and its effect (its hold released and, for a filled deal, its order placed at
the group price through :func:`transactional.ordering.placement.place_order`, with an
idempotency key of the deal and participant) commit together or not at all. So settling
twice changes nothing, two settlers never place one order twice, and a settlement that
stopped half-way (a crash, a restart) resumes where it was. A participant whose order the
normal path refuses (the supplier suspended, the risk guard) is released with the reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import case, insert, select, update
from sqlalchemy.orm import Session

from transactional.core import audit, events
from transactional.core.idempotency import IdempotentRequest
from transactional.core.jsonable import jsonable
from transactional.db.tables.catalogue import offers
from transactional.db.tables.identity import business_units, users
from transactional.db.tables.loyalty import group_buy_deals, group_buy_holds, group_buy_participants
from transactional.db.types import utcnow
from transactional.domain.allocation import LineRequest
from transactional.domain.errors import ConflictError, DomainError, ValidationFailedError
from transactional.domain.money import to_decimal
from transactional.domain.principal import SYSTEM, Principal, Role, not_found
from transactional.domain.status import StockEffect
from transactional.identity.users import principal_of
from transactional.ordering import reservation
from transactional.ordering.placement import (
    PLACING_ROLES,
    OrderLineRequest,
    OrderRequest,
    place_order,
)

WRITE_ROLES = (Role.FINANCE, Role.ADMIN)
STAFF = (Role.FINANCE, Role.ADMIN, Role.PROCUREMENT)
TERMINAL = ("completed", "failed")
_D = group_buy_deals
_P = group_buy_participants
_PUBLIC = ("id", "business_unit", "name", "offer_id", "sku_id", "supplier_id", "currency", "group_price",
           "target_kind", "target", "max_per_buyer", "joined_quantity", "joined_count", "deadline", "status",
           "created_at", "settled_at")


def _public(session: Session, actor: Principal, deal: Any) -> dict[str, Any]:
    query = select(_P).where(_P.c.deal_id == deal.id).order_by(_P.c.id)
    if actor.role not in STAFF:
        query = query.where(_P.c.buyer_user_id == actor.user_id)
    people = session.execute(query).all()
    return jsonable({**{k: deal._mapping[k] for k in _PUBLIC}, "participants": [
        {k: p._mapping[k] for k in ("id", "buyer_user_id", "quantity", "status", "order_id", "note", "joined_at")}
        for p in people]})


def _load(session: Session, actor: Principal, deal_id: int, *, lock: bool = False) -> Any:
    query = select(_D).where(_D.c.id == deal_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    if row is None or actor.role is Role.SUPPLIER or not actor.can_see_business_unit(row.business_unit):
        raise not_found("group-buy deal", deal_id)
    return row


def create_deal(session: Session, actor: Principal, body: dict[str, Any]) -> dict[str, Any]:
    """Create a deal (finance, admins of the unit); audited, ``group_buy.created``.

    Raises:
        ForbiddenError, NotFoundError (unit outside scope), ValidationFailedError
        ``invalid_group_buy`` (unknown or inactive offer, deadline past, price not positive).
    """
    actor.require(*WRITE_ROLES)
    unit = body["business_unit"]
    if not actor.can_see_business_unit(unit) or session.execute(
            select(business_units.c.code).where(business_units.c.code == unit)).first() is None:
        raise not_found("business unit", unit)
    offer = session.execute(select(offers).where(offers.c.id == body["offer_id"], offers.c.is_active.is_(True))).first()
    now = utcnow()
    price = to_decimal(str(body["group_price"]))
    if offer is None or body["deadline"] <= now or price <= 0:
        raise ValidationFailedError("a deal needs an active offer, a future deadline and a positive group price",
                                    code="invalid_group_buy")
    deal_id = session.execute(insert(_D).values(
        business_unit=unit, name=body["name"], offer_id=offer.id, sku_id=offer.sku_id, supplier_id=offer.supplier_id,
        currency=offer.currency, group_price=price, target_kind=body.get("target_kind", "quantity"),
        target=body["target"], max_per_buyer=body.get("max_per_buyer", 1_000_000), joined_quantity=0,
        joined_count=0, deadline=body["deadline"], status="open", created_at=now, created_by=actor.user_id,
        updated_at=now).returning(_D.c.id)).scalar_one()
    deal = _public(session, actor, session.execute(select(_D).where(_D.c.id == deal_id)).one())
    audit.record(session, actor, "group_buy.create", "group_buy", deal_id, business_unit=unit, details=deal)
    events.emit(session, "group_buy.created", "group_buy", deal_id, deal, business_unit=unit,
                supplier_id=offer.supplier_id, json_ready=True)
    return deal


def get_deal(session: Session, actor: Principal, deal_id: int) -> dict[str, Any]:
    """A deal visible to ``actor`` (its unit's users, group admins; others 404)."""
    return _public(session, actor, _load(session, actor, deal_id))


def list_deals(session: Session, actor: Principal) -> list[dict[str, Any]]:
    """Deals of the caller's unit (group admins: all), newest first."""
    query = select(_D).order_by(_D.c.id.desc()).limit(200)
    if actor.role is Role.SUPPLIER:
        return []
    if not actor.is_group_admin:
        query = query.where(_D.c.business_unit == actor.business_unit)
    return [_public(session, actor, d) for d in session.execute(query).all()]


def join_deal(session: Session, actor: Principal, deal_id: int, quantity: int,
              now: dt.datetime | None = None) -> dict[str, Any]:
    """Join a deal with ``quantity`` units, reserving them (one transaction).

    Returns:
        The deal (``status`` is ``filled`` when this join reached the target).

    Raises:
        ForbiddenError (role), NotFoundError (another unit's deal), ValidationFailedError
        ``invalid_group_buy`` (more than ``max_per_buyer``), ConflictError
        ``group_buy_closed`` / ``group_buy_full`` / ``group_buy_already_joined``,
        OutOfStockError (nothing joined).
    """
    actor.require(*PLACING_ROLES)
    when = now or utcnow()
    deal = _load(session, actor, deal_id)
    if deal.business_unit != actor.business_unit:
        raise not_found("group-buy deal", deal_id)
    if quantity > deal.max_per_buyer:
        raise ValidationFailedError(f"at most {deal.max_per_buyer} units per buyer", code="invalid_group_buy")
    if session.execute(select(_P.c.id).where(_P.c.deal_id == deal_id, _P.c.buyer_user_id == actor.user_id)).first():
        raise ConflictError("you already joined this deal", code="group_buy_already_joined")
    by_quantity = _D.c.target_kind == "quantity"
    fits = (by_quantity & (_D.c.joined_quantity + quantity <= _D.c.target)) | (
        ~by_quantity & (_D.c.joined_count + 1 <= _D.c.target))
    reaches = (by_quantity & (_D.c.joined_quantity + quantity == _D.c.target)) | (
        ~by_quantity & (_D.c.joined_count + 1 == _D.c.target))
    joined = session.execute(update(_D).where(_D.c.id == deal_id, _D.c.status == "open", _D.c.deadline > when, fits)
                             .values(joined_quantity=_D.c.joined_quantity + quantity,
                                     joined_count=_D.c.joined_count + 1,
                                     status=case((reaches, "filled"), else_="open"), updated_at=when)).rowcount
    if joined != 1:
        fresh = session.execute(select(_D).where(_D.c.id == deal_id)).one()
        if fresh.status != "open" or fresh.deadline <= when:
            raise ConflictError(f"deal {deal_id} is {fresh.status if fresh.status != 'open' else 'past its deadline'}",
                                code="group_buy_closed", details={"status": fresh.status})
        left = fresh.target - (fresh.joined_quantity if fresh.target_kind == "quantity" else fresh.joined_count)
        raise ConflictError(f"deal {deal_id} has room for {left} more {fresh.target_kind}",
                            code="group_buy_full", details={"left": left})
    participant = session.execute(insert(_P).values(
        deal_id=deal_id, buyer_user_id=actor.user_id, business_unit=actor.business_unit, quantity=quantity,
        status="reserved", joined_at=when, updated_at=when).returning(_P.c.id)).scalar_one()
    allocations, _ = reservation.reserve(session, deal.supplier_id, [LineRequest(1, deal.sku_id, quantity)], None)
    held: dict[tuple[int, int], int] = {}
    for a in allocations:
        held[(a.warehouse_id, a.sku_id)] = held.get((a.warehouse_id, a.sku_id), 0) + a.quantity
    session.execute(insert(group_buy_holds), [{"participant_id": participant, "warehouse_id": w, "sku_id": s,
                                               "quantity": q} for (w, s), q in sorted(held.items())])
    fresh = session.execute(select(_D).where(_D.c.id == deal_id)).one()
    facts = {"deal_id": deal_id, "participant_id": participant, "buyer_user_id": actor.user_id,
             "quantity": quantity, "joined_quantity": fresh.joined_quantity, "joined_count": fresh.joined_count,
             "status": fresh.status}
    audit.record(session, actor, "group_buy.join", "group_buy", deal_id, business_unit=deal.business_unit,
                 details=facts)
    events.emit(session, "group_buy.joined", "group_buy", deal_id, facts, business_unit=deal.business_unit,
                supplier_id=deal.supplier_id)
    if fresh.status == "filled":
        events.emit(session, "group_buy.filled", "group_buy", deal_id, facts, business_unit=deal.business_unit,
                    supplier_id=deal.supplier_id)
    return _public(session, actor, fresh)


# --- settling: one participant per transaction -------------------------------------------

def _holds(session: Session, participant_id: int) -> list[Any]:
    return session.execute(select(group_buy_holds).where(group_buy_holds.c.participant_id == participant_id)
                           .order_by(group_buy_holds.c.sku_id, group_buy_holds.c.warehouse_id)).all()


def _release(session: Session, deal: Any, participant_id: int, note: str, now: dt.datetime) -> bool:
    """``reserved → released`` and the hold given back; False if it was not reserved."""
    if session.execute(update(_P).where(_P.c.id == participant_id, _P.c.status == "reserved")
                       .values(status="released", note=note[:300], updated_at=now)).rowcount != 1:
        return False
    reservation.apply_to_rows(session, _holds(session, participant_id), StockEffect.RELEASE)
    events.emit(session, "group_buy.participant_released", "group_buy", deal.id,
                {"deal_id": deal.id, "participant_id": participant_id, "reason": note},
                business_unit=deal.business_unit, supplier_id=deal.supplier_id)
    return True


def _order(session: Session, deal: Any, participant_id: int, now: dt.datetime) -> int | None:
    """``reserved → ordered``: the hold becomes an order at the group price; its id."""
    participant = session.execute(select(_P).where(_P.c.id == participant_id)).one()
    if session.execute(update(_P).where(_P.c.id == participant_id, _P.c.status == "reserved")
                       .values(status="ordered", updated_at=now)).rowcount != 1:
        return None
    reservation.apply_to_rows(session, _holds(session, participant_id), StockEffect.RELEASE)
    buyer = principal_of(session.execute(select(users).where(users.c.id == participant.buyer_user_id)).one())
    request = OrderRequest((OrderLineRequest(deal.offer_id, participant.quantity),),
                           note=f"group buy {deal.id}: {deal.name}"[:500], group_price=Decimal(deal.group_price))
    key = f"group-buy:{deal.id}:{participant_id}"
    order = place_order(session, buyer, request, IdempotentRequest(key, key)).order
    session.execute(update(_P).where(_P.c.id == participant_id).values(order_id=order["id"]))
    return order["id"]


def _finish(session: Session, deal_id: int, source: str, target: str, now: dt.datetime) -> bool:
    """``filled → completed`` / ``releasing → failed`` once no participant is reserved."""
    left = session.execute(select(_P.c.id).where(_P.c.deal_id == deal_id, _P.c.status == "reserved")).first()
    if left is not None:
        return False
    done = session.execute(update(_D).where(_D.c.id == deal_id, _D.c.status == source)
                           .values(status=target, settled_at=now, updated_at=now)).rowcount == 1
    if done:
        deal = session.execute(select(_D).where(_D.c.id == deal_id)).one()
        statuses = session.execute(select(_P.c.status).where(_P.c.deal_id == deal_id)).scalars().all()
        facts = {"deal_id": deal_id, "status": target, "participants": len(statuses),
                 "ordered": statuses.count("ordered"), "released": statuses.count("released"),
                 "joined_quantity": deal.joined_quantity}
        audit.record(session, SYSTEM, f"group_buy.{target}", "group_buy", deal_id,
                     business_unit=deal.business_unit, details=facts)
        events.emit(session, f"group_buy.{target}", "group_buy", deal_id, facts,
                    business_unit=deal.business_unit, supplier_id=deal.supplier_id)
    return done


def settle_deal(db: Any, deal_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """Move a deal's state machine as far as it goes now; idempotent and resumable.

    An open deal past its deadline starts releasing; a filled deal orders each reserved
    participant, a releasing one releases each; both end when none is left reserved.

    Args:
        db: a :class:`transactional.db.database.Database` (one transaction per step).

    Returns:
        ``{"deal_id", "status", "ordered": [order ids], "released": [participant ids]}`` of
        this call (empty lists when there was nothing left to do).
    """
    when = now or utcnow()
    ordered: list[int] = []
    released: list[int] = []
    while True:
        with db.read() as session:
            deal = session.execute(select(_D).where(_D.c.id == deal_id)).first()
            if deal is None:
                raise not_found("group-buy deal", deal_id)
            waiting = session.execute(select(_P.c.id).where(_P.c.deal_id == deal_id, _P.c.status == "reserved")
                                      .order_by(_P.c.id)).scalars().all()
        if deal.status in TERMINAL or (deal.status == "open" and deal.deadline > when):
            return {"deal_id": deal_id, "status": deal.status, "ordered": ordered, "released": released}
        if deal.status == "open":
            db.run_write(lambda s: s.execute(update(_D).where(
                _D.c.id == deal_id, _D.c.status == "open", _D.c.deadline <= when)
                .values(status="releasing", updated_at=when)))
            continue
        _settle_participants(db, deal, waiting, when, ordered, released)


def _settle_participants(db: Any, deal: Any, waiting: list[int], when: dt.datetime, ordered: list[int],
                         released: list[int]) -> None:
    """Order (filled) or release (releasing) each waiting participant, one transaction each,
    then close the deal if none is left reserved."""
    for participant_id in waiting:
        if deal.status == "filled":
            try:
                order_id = db.run_write(lambda s, p=participant_id: _order(s, deal, p, when))
            except DomainError as refused:  # the normal path said no: release the hold
                message = f"not ordered: {refused}"
                if db.run_write(lambda s, p=participant_id, m=message: _release(s, deal, p, m, when)):
                    released.append(participant_id)
                continue
            if order_id is not None:
                ordered.append(order_id)
        elif db.run_write(lambda s, p=participant_id: _release(
                s, deal, p, "the deal missed its target by its deadline", when)):
            released.append(participant_id)
    source, target = ("filled", "completed") if deal.status == "filled" else ("releasing", "failed")
    db.run_write(lambda s: _finish(s, deal.id, source, target, when))


def settle_due(db: Any, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Settle every deal that has something to do: filled or releasing ones, and open ones
    past their deadline (``grouplake tx settle-group-buys``; safe to run at any time, also
    concurrently with itself and with joins)."""
    when = now or utcnow()
    with db.read() as session:
        due = session.execute(select(_D.c.id).where(
            _D.c.status.in_(("filled", "releasing")) | ((_D.c.status == "open") & (_D.c.deadline <= when)))
            .order_by(_D.c.id)).scalars().all()
    return [settle_deal(db, deal_id, when) for deal_id in due]


def settle_as(db: Any, actor: Principal, deal_id: int) -> dict[str, Any]:
    """``POST /group-buys/{id}/settle``: finance or admins of the deal's unit settle it now."""
    actor.require(*WRITE_ROLES)
    with db.read() as session:
        _load(session, actor, deal_id)
    result = settle_deal(db, deal_id)
    with db.read() as session:
        return {**result, "deal": get_deal(session, actor, deal_id)}
