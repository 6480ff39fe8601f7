"""Call-off orders: ordinary orders placed against a framework contract's remaining quantity.

``ordering/placement.py`` makes two calls when an order names a contract:

1. :func:`terms_for` — before pricing: the contract must be visible to the buyer's unit
   (else 404), fully signed (409 ``contract_not_signed``), inside its validity window
   (409 ``contract_expired`` / ``contract_not_yet_valid``), of the order's supplier and hold
   every SKU ordered (422 ``not_on_contract``); returns the contract's price terms per line,
   which replace the offers' (all-units tier by the line's quantity).
2. :func:`reserve` — inside the placement transaction, after the stock reservation: one
   *conditional* update per contract line (``remaining = remaining - q WHERE remaining >= q``,
   ordered by line id), with ``CHECK (remaining_quantity >= 0)`` underneath. On SQLite the
   write transaction already holds the database write lock; on PostgreSQL the second writer
   waits for the row lock and re-checks the condition, so however many call-offs race for the
   last units, the sum fulfilled never exceeds what remained; a loser gets 409
   ``contract_quantity_exhausted`` and nothing is placed. It goes after the stock, in the
   order a cancellation takes the same locks (stock, then contract lines), so the two never
   deadlock.

:func:`release_on_cancel` is the lifecycle effect ``contract.release`` of cancel, reject,
expire and refuse: the call-off rows flip to ``released`` (once) and the quantity returns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from transactional.contracts.queries import SIGNED, load_contract_row, state_of
from transactional.core import events
from transactional.db.tables.contracts import contract_call_offs, contract_lines
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.pricing import PriceTier
from transactional.domain.principal import Principal

RESERVED = "reserved"
RELEASED = "released"

_TAKE = (update(contract_lines)
         .where(contract_lines.c.id == bindparam("line_id"),
                contract_lines.c.remaining_quantity >= bindparam("q"))
         .values(remaining_quantity=contract_lines.c.remaining_quantity - bindparam("q"),
                 updated_at=bindparam("now")))
_GIVE_BACK = (update(contract_lines)
              .where(contract_lines.c.id == bindparam("line_id"),
                     contract_lines.c.remaining_quantity + bindparam("q")
                     <= contract_lines.c.committed_quantity)
              .values(remaining_quantity=contract_lines.c.remaining_quantity + bindparam("q"),
                      updated_at=bindparam("now")))


@dataclass(frozen=True)
class ContractLineTerms:
    """What pricing needs from one contract line."""

    contract_line_id: int
    sku_id: int
    tiers: tuple[PriceTier, ...]
    remaining_quantity: int


@dataclass(frozen=True)
class CallOffTerms:
    """A contract open for call-offs: its currency and its lines by SKU id."""

    contract_id: int
    supplier_id: str
    currency: str
    lines: dict[int, ContractLineTerms]


def _tiers(raw: Sequence[Any]) -> tuple[PriceTier, ...]:
    return tuple(sorted((PriceTier(int(t["min_quantity"]), Decimal(str(t["unit_price"])))
                         for t in raw), key=lambda t: t.min_quantity))


def terms_for(session: Session, actor: Principal, contract_id: int, supplier_id: str,
              quantities: dict[int, int], today: dt.date) -> CallOffTerms:
    """The terms of contract ``contract_id`` for a call-off of ``quantities`` (SKU → units).

    Raises:
        NotFoundError: no such contract covering the caller's unit.
        ConflictError: ``contract_not_signed``, ``contract_expired``, ``contract_not_yet_valid``,
            ``contract_quantity_exhausted`` (what remains already too little).
        ValidationFailedError ``not_on_contract``: another supplier, or a SKU not on it.
    """
    row = load_contract_row(session, actor, contract_id)
    details = {"contract_id": contract_id, "valid_from": row.valid_from.isoformat(),
               "valid_to": row.valid_to.isoformat()}
    if row.status != SIGNED:
        raise ConflictError(
            f"contract {contract_id} is not signed by both sides yet "
            f"(supplier: {'yes' if row.supplier_signed_by else 'no'}, procurement: "
            f"{'yes' if row.approved_by else 'no'}); no call-offs before signing",
            code="contract_not_signed", details=details)
    state = state_of(row, today)
    if state == "expired":
        raise ConflictError(f"contract {contract_id} expired on {row.valid_to.isoformat()}",
                            code="contract_expired", details=details)
    if state == "not_yet_valid":
        raise ConflictError(f"contract {contract_id} is valid from {row.valid_from.isoformat()}",
                            code="contract_not_yet_valid", details=details)
    if row.supplier_id != supplier_id:
        raise ValidationFailedError(
            f"contract {contract_id} is with supplier {row.supplier_id}, the offers are "
            f"{supplier_id}'s", code="not_on_contract", details=details)
    lines = {r.sku_id: ContractLineTerms(r.id, r.sku_id, _tiers(r.price_tiers), r.remaining_quantity)
             for r in session.execute(select(contract_lines)
                                      .where(contract_lines.c.contract_id == contract_id))}
    off = sorted(set(quantities) - set(lines))
    if off:
        raise ValidationFailedError(f"SKU(s) {off} are not on contract {contract_id}",
                                    code="not_on_contract", details={**details, "sku_ids": off})
    for sku_id, quantity in sorted(quantities.items()):
        if quantity > lines[sku_id].remaining_quantity:
            raise _exhausted(contract_id, sku_id, quantity, lines[sku_id].remaining_quantity)
    return CallOffTerms(contract_id, row.supplier_id, row.currency, lines)


def _exhausted(contract_id: int, sku_id: int, requested: int, remaining: int) -> ConflictError:
    return ConflictError(
        f"contract {contract_id}: SKU {sku_id} has {remaining} unit(s) left, {requested} asked",
        code="contract_quantity_exhausted",
        details={"contract_id": contract_id, "sku_id": sku_id, "requested": requested,
                 "remaining": remaining})


def reserve(session: Session, terms: CallOffTerms, order: dict[str, Any],
            lines: Sequence[tuple[int, int, int, Decimal]], now: dt.datetime) -> dict[str, Any]:
    """Take the order's quantities off the contract's remaining quantity (all or nothing).

    Args:
        order: the inserted order's values with its ``id``.
        lines: ``(order line no, sku id, quantity, unit price)``.

    Returns:
        JSON-ready facts of the call-off (also the ``contract.called_off`` event payload).

    Raises:
        ConflictError ``contract_quantity_exhausted``: not enough left (nothing taken).
    """
    totals: dict[int, int] = {}
    for _, sku_id, quantity, _ in lines:
        totals[sku_id] = totals.get(sku_id, 0) + quantity
    for sku_id, quantity in sorted(totals.items(), key=lambda i: terms.lines[i[0]].contract_line_id):
        line_id = terms.lines[sku_id].contract_line_id
        taken = session.execute(_TAKE, {"line_id": line_id, "q": quantity, "now": now}).rowcount
        if taken != 1:
            left = session.execute(select(contract_lines.c.remaining_quantity)
                                   .where(contract_lines.c.id == line_id)).scalar_one()
            raise _exhausted(terms.contract_id, sku_id, quantity, left)
    rows = [{"order_id": order["id"], "order_line_no": n, "contract_id": terms.contract_id,
             "contract_line_id": terms.lines[sku_id].contract_line_id,
             "business_unit": order["business_unit"], "quantity": quantity, "unit_price": price,
             "currency": terms.currency, "status": RESERVED, "created_at": now,
             "released_at": None} for n, sku_id, quantity, price in lines]
    session.execute(insert(contract_call_offs), rows)
    facts = _facts(session, terms.contract_id, order, rows, now)
    events.emit(session, "contract.called_off", "contract", terms.contract_id, facts,
                business_unit=order["business_unit"], supplier_id=terms.supplier_id)
    return facts


def _facts(session: Session, contract_id: int, order: Any, rows: Sequence[dict[str, Any]],
           now: dt.datetime) -> dict[str, Any]:
    ids = sorted({r["contract_line_id"] for r in rows})
    remaining = {r.id: r.remaining_quantity for r in session.execute(
        select(contract_lines.c.id, contract_lines.c.remaining_quantity)
        .where(contract_lines.c.id.in_(ids)))}
    get = order.get if isinstance(order, dict) else lambda k: getattr(order, k)
    return {"contract_id": contract_id, "order_id": get("id"),
            "business_unit": get("business_unit"), "supplier_id": get("supplier_id"),
            "lines": [{"order_line_no": r["order_line_no"], "contract_line_id": r["contract_line_id"],
                       "quantity": r["quantity"], "unit_price": r["unit_price"],
                       "currency": r["currency"],
                       "remaining_quantity": remaining[r["contract_line_id"]]} for r in rows],
            "occurred_at": now}


def release_on_cancel(session: Session, actor: Principal, order: Any, action: str,
                      reason: str | None, now: dt.datetime) -> dict[str, Any] | None:
    """Lifecycle effect ``contract.release``: give the quantities of a cancelled (rejected,
    expired, refused) call-off back to its contract lines, once; emits
    ``contract.call_off_released``. None when the order was not a call-off."""
    rows = session.execute(select(contract_call_offs).where(
        contract_call_offs.c.order_id == order.id, contract_call_offs.c.status == RESERVED)
        .order_by(contract_call_offs.c.contract_line_id)).all()
    if not rows:
        return None
    flipped = session.execute(update(contract_call_offs).where(
        contract_call_offs.c.order_id == order.id, contract_call_offs.c.status == RESERVED)
        .values(status=RELEASED, released_at=now)).rowcount
    if flipped != len(rows):
        return None
    totals: dict[int, int] = {}
    for r in rows:
        totals[r.contract_line_id] = totals.get(r.contract_line_id, 0) + r.quantity
    for line_id, quantity in sorted(totals.items()):
        session.execute(_GIVE_BACK, {"line_id": line_id, "q": quantity, "now": now})
    contract_id = rows[0].contract_id
    facts = _facts(session, contract_id, order, [dict(r._mapping) for r in rows], now)
    facts["action"] = action
    events.emit(session, "contract.call_off_released", "contract", contract_id, facts,
                business_unit=order.business_unit, supplier_id=order.supplier_id)
    return {"contract_id": contract_id,
            "released": [{"contract_line_id": k, "quantity": v} for k, v in sorted(totals.items())]}


def contract_of_orders(session: Session, order_ids: Sequence[int]) -> dict[int, int]:
    """The contract each call-off order was placed against (orders without one: absent)."""
    if not order_ids:
        return {}
    return {r.order_id: r.contract_id for r in session.execute(
        select(contract_call_offs.c.order_id, contract_call_offs.c.contract_id)
        .where(contract_call_offs.c.order_id.in_(list(order_ids))).distinct())}
