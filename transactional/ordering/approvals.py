"""Procurement approval of large orders: per-unit limits, pending orders, decisions, expiry.

An order whose payable amount is **above** its unit's limit is placed as
``pending_approval``: its stock is reserved like any order's, and it waits for
procurement (or an admin) of the unit to approve or reject it (with a reason; audited,
``order.approved`` / ``order.rejected``). A pending order not decided within
``oltp.approval_ttl_hours`` expires (``ordering/lifecycle.expire_pending``, run by
``grouplake tx expire-approvals`` and the ``tx_approval_expiry_schedule``): stock released,
``order.approval_expired``.

The limit of a unit: its ``approval_limits`` row (requested by its admins or procurement
and confirmed by a second person of another role, ``ordering/limit_changes.py``; audited), else ``oltp.approval_limits[unit]``, else ``oltp.approval_limit_default`` (both in
the group currency). An order in another currency is converted at the placement date's
rate (recorded on the approval); when no rate is known the order waits for approval.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from transactional.accounting.fx import FxRateMissingError, RateBook
from transactional.core import audit
from transactional.core.jsonable import jsonable
from transactional.core.policy import SYSTEM_USER_ID, CommercePolicy
from transactional.db.fastpath import HotStatement
from transactional.db.tables.identity import business_units
from transactional.db.tables.ordering import approval_limits, order_approvals, orders
from transactional.db.types import utcnow
from transactional.domain.errors import ForbiddenError, ValidationFailedError
from transactional.domain.fx import Conversion
from transactional.domain.money import check_currency, to_decimal
from transactional.domain.principal import Principal, Role, not_found
from transactional.domain.status import OrderStatus

_LIMIT = HotStatement(select(approval_limits.c.amount, approval_limits.c.currency)
                      .where(approval_limits.c.business_unit == bindparam("bu")))
_INSERT = HotStatement(insert(order_approvals))
DECISIONS = {"approve": "approved", "reject": "rejected", "expire": "expired",
             "cancel": "cancelled", "refuse": "rejected"}


@dataclass(frozen=True)
class Requirement:
    """Why an order needs approval: the limit, and the order's amount compared with it."""

    limit_amount: Decimal
    limit_currency: str
    conversion: Conversion | None  # None: no rate was available


def limit_for(session: Session, business_unit: str, policy: CommercePolicy) -> tuple[Decimal, str]:
    """``(amount, currency)`` of a unit's approval limit."""
    row = _LIMIT.execute(session, {"bu": business_unit}).first()
    if row is not None:
        return row.amount, row.currency
    return default_limit(business_unit, policy)


def default_limit(business_unit: str, policy: CommercePolicy) -> tuple[Decimal, str]:
    """``(amount, currency)`` of a unit's limit when none is set in ``approval_limits``."""
    amount = policy.approval_limits.get(business_unit, policy.approval_limit_default)
    return to_decimal(amount), policy.group_currency


def requirement(session: Session, business_unit: str, amount: Decimal, currency: str,
                now: dt.datetime, policy: CommercePolicy) -> Requirement | None:
    """The approval an order of ``amount`` needs, or None when within the limit."""
    limit, limit_currency = limit_for(session, business_unit, policy)
    try:
        conversion = RateBook(session, policy).convert(amount, currency, limit_currency,
                                                       now.date())
    except FxRateMissingError:
        return Requirement(limit, limit_currency, None)
    if conversion.amount <= limit:
        return None
    return Requirement(limit, limit_currency, conversion)


def record_request(session: Session, order_id: int, amount: Decimal, currency: str,
                   need: Requirement, now: dt.datetime, policy: CommercePolicy) -> dict:
    """Insert the pending approval of a new order; returns its public form."""
    c = need.conversion
    row = {
        "order_id": order_id, "status": "pending", "order_amount": amount,
        "order_currency": currency, "limit_amount": need.limit_amount,
        "limit_currency": need.limit_currency,
        "converted_amount": c.amount if c else None,
        "fx_rate": c.rate if c and c.rate_date else None,
        "fx_rate_date": c.rate_date if c else None, "fx_source": c.rate_source if c else None,
        "requested_at": now, "expires_at": now + policy.approval_ttl,
        "decided_at": None, "decided_by": None, "reason": None,
    }
    _INSERT.execute(session, row)
    return approval_json(row)


def approval_json(row: Any) -> dict[str, Any]:
    """JSON-ready approval (a mapping or a row)."""
    m = row if isinstance(row, dict) else row._mapping
    keys = ("status", "order_amount", "order_currency", "limit_amount", "limit_currency",
            "converted_amount", "fx_rate", "fx_rate_date", "fx_source", "requested_at",
            "expires_at", "decided_at", "decided_by", "reason")
    return jsonable({k: m[k] for k in keys})


def close_pending(session: Session, actor: Principal, order: Any, action: str,
                  reason: str | None, now: dt.datetime) -> dict[str, Any] | None:
    """Side effect ``approval.decide`` (approve, reject, expire, cancel): close the order's
    pending approval, if any."""
    result = session.execute(
        update(order_approvals)
        .where(order_approvals.c.order_id == order.id, order_approvals.c.status == "pending")
        .values(status=DECISIONS[action], decided_at=now, decided_by=actor.user_id,
                reason=reason))
    if not result.rowcount:
        return None
    return {"approval": DECISIONS[action], "reason": reason}


def validated_limit(session: Session, actor: Principal, business_unit: str, amount: Decimal | str,
                    currency: str) -> Decimal:
    """The amount of a limit for ``business_unit``, checked as every limit change checks it.

    Raises:
        NotFoundError: the unit is absent or outside the caller's scope.
        ValidationFailedError: the amount is not positive or the currency is bad.
    """
    if not actor.can_see_business_unit(business_unit) or session.execute(
            select(business_units.c.code).where(business_units.c.code == business_unit)
    ).first() is None:
        raise not_found("business unit", business_unit)
    try:
        value = to_decimal(amount)
        check_currency(currency)
    except ValueError as exc:
        raise ValidationFailedError(str(exc)) from exc
    if value <= 0:
        raise ValidationFailedError("an approval limit is a positive amount")
    return value


def set_limit(session: Session, actor: Principal, business_unit: str, amount: Decimal | str,
              currency: str, *, requested_by: int | None = None) -> dict[str, Any]:
    """Apply a unit's approval limit.

    Two people take part in every change made by users (``ordering/limit_changes.py``: one
    requests, another of another role confirms, then this runs with ``requested_by``); only
    the trusted local principal (seed and demo loads) sets a limit directly.

    Raises:
        ForbiddenError ``separation_of_duties``: a user setting a limit without a confirmed
        request. NotFoundError, ValidationFailedError.
    """
    if requested_by is None and actor.user_id != SYSTEM_USER_ID:
        raise ForbiddenError(
            "separation of duties: request the change (PUT /approval-limits/{unit}); a "
            "second person of another role confirms it", code="separation_of_duties")
    value = validated_limit(session, actor, business_unit, amount, currency)
    current = session.execute(select(approval_limits).where(
        approval_limits.c.business_unit == business_unit).with_for_update()).first()
    values = {"amount": value, "currency": currency, "updated_at": utcnow(),
              "updated_by": actor.user_id}
    if current is None:
        session.execute(insert(approval_limits).values(business_unit=business_unit, **values))
    else:
        session.execute(update(approval_limits)
                        .where(approval_limits.c.business_unit == business_unit).values(**values))
    audit.record(session, actor, "approval_limit.set", "business_unit", business_unit,
                 business_unit=business_unit,
                 details={"amount": value, "currency": currency, "requested_by": requested_by,
                          "previous": None if current is None else
                          {"amount": current.amount, "currency": current.currency}})
    return {"business_unit": business_unit, **values}


def list_limits(session: Session, actor: Principal, policy: CommercePolicy) -> list[dict]:
    """The effective limit of every unit the caller may see (staff of a unit: theirs)."""
    actor.require(Role.ADMIN, Role.PROCUREMENT, Role.FINANCE)
    units = session.execute(select(business_units.c.code).order_by(business_units.c.code))
    out = []
    for (code,) in units:
        if actor.can_see_business_unit(code):
            amount, currency = limit_for(session, code, policy)
            out.append({"business_unit": code, "amount": amount, "currency": currency})
    return out


def due_for_expiry(session: Session, now: dt.datetime, limit: int = 500) -> list[int]:
    """Ids of orders whose pending approval has expired."""
    return list(session.execute(
        select(order_approvals.c.order_id)
        .join(orders, orders.c.id == order_approvals.c.order_id)
        .where(order_approvals.c.status == "pending", order_approvals.c.expires_at <= now,
               orders.c.status == OrderStatus.PENDING_APPROVAL.value)
        .order_by(order_approvals.c.order_id).limit(limit)).scalars())


def require_reason(action: str, reason: str | None) -> None:
    """Refuse a decision that needs a reason without one."""
    if not (reason or "").strip():
        raise ValidationFailedError(f"a reason is required to {action} an order",
                                    code="reason_required")
