"""Loyalty points: earned per paid order, redeemed at placement, expiring, never negative.

**Rule** (``points_rules``, a new version per change, per business unit; finance, admins):
``points_per_unit`` points per currency unit the customer pays, rounded ``down`` or
``half_up``, times the customer's segment multiplier (``multipliers``, default 1); a point is
worth ``point_value`` when redeemed, on at most ``max_redeem_percent`` of an order; points
expire ``expiry_months`` after they were earned.

**Earning** (``points.earn``, a side effect of ``pay``): the order's customer (the dealer
account its terms were recorded for, ``order_terms``) gets one *lot* of points on what it pays
(the order total less its coupon and points redemption), segment as at placement. A lot
remembers its value and expiry.

**Redeeming** (``points_to_redeem`` on ``POST /orders``, inside the placement transaction):
the account row is locked, its lots past expiry are expired first, then the balance is taken
by one conditional update (``balance = balance - n WHERE balance >= n``; ``CHECK (balance >=
0)`` as the last line of defence), and the points come off the earliest-expiring lots first
(FIFO). As with coupons the supplier's price is unchanged: what the customer owes is reduced
(``receivable.adjusted`` through the outbox, ``Dr points_liability / Cr
receivable_adjustments``).

**Reversal**: a cancelled (rejected, expired, refused) order gives its redeemed points back
to the lots they came from, and a cancelled paid order takes back what it earned; a refund
takes back points in proportion to the amount refunded. Points already spent are never
taken below zero: what cannot be taken back is recorded as ``shortfall``.

**Expiry** (:func:`expire_due`, ``grouplake tx expire-points``): lots past their date lose
their remaining points (``Dr points_liability / Cr loyalty_expense``).

Every movement is a ``points_movements`` row with its journal entry and an outbox event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from transactional.accounting import postings
from transactional.benefits.rules import SEGMENTS
from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.db.tables.benefits import coupon_redemptions, order_terms
from transactional.db.tables.identity import business_units
from transactional.db.tables.loyalty import (
    points_accounts,
    points_lots,
    points_movements,
    points_rules,
)
from transactional.db.tables.rebates import dealer_accounts
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import check_currency, to_decimal
from transactional.domain.principal import Principal, Role, not_found

WRITE_ROLES = (Role.FINANCE, Role.ADMIN)
READ_ROLES = (Role.FINANCE, Role.ADMIN, Role.PROCUREMENT)
STAFF = READ_ROLES  # who sees a customer's points besides its own buyer (as customers.STAFF)
ROUNDINGS = {"down": ROUND_DOWN, "half_up": ROUND_HALF_UP}
MAX_EXPIRY_MONTHS = 120
RECENT = 20
_RULE_PUBLIC = ("business_unit", "version", "currency", "points_per_unit", "rounding", "multipliers",
                "point_value", "expiry_months", "max_redeem_percent", "note", "created_at", "created_by")


# --- pure rules --------------------------------------------------------------------------

def points_for(paid: Decimal, points_per_unit: Decimal, rounding: str, multiplier: Decimal) -> int:
    """Points earned on ``paid``: ``paid × points_per_unit × multiplier``, rounded.

    Example:
        >>> points_for(Decimal("2699.50"), Decimal("1"), "down", Decimal("1.5"))
        4049
        >>> points_for(Decimal("2699.50"), Decimal("1"), "half_up", Decimal("1.5"))
        4049
        >>> points_for(Decimal("0.5"), Decimal("1"), "half_up", Decimal("1"))
        1
    """
    if paid <= 0:
        return 0
    return int((paid * points_per_unit * multiplier).quantize(Decimal(1), rounding=ROUNDINGS[rounding]))


def add_months(when: dt.datetime, months: int) -> dt.datetime:
    """``when`` plus ``months`` calendar months (the day clipped to the month's last).

    Example:
        >>> add_months(dt.datetime(2026, 1, 31, tzinfo=dt.UTC), 1).date()
        datetime.date(2026, 2, 28)
    """
    month = when.month - 1 + months
    year, month = when.year + month // 12, month % 12 + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30, 31, 30, 31,
            31, 30, 31, 30, 31][month - 1]
    return when.replace(year=year, month=month, day=min(when.day, days))


def _invalid(message: str) -> ValidationFailedError:
    return ValidationFailedError(message, code="invalid_points_rule")


def _decimal(body: Mapping[str, Any], key: str, default: str | None = None) -> Decimal:
    raw = body.get(key, default)
    try:
        return to_decimal(str(raw))
    except (ValueError, ArithmeticError) as exc:
        raise _invalid(f"{key} must be a decimal number") from exc


def parse_rule(body: Mapping[str, Any]) -> dict[str, Any]:
    """Check a points rule; returns its column values.

    Raises:
        ValidationFailedError ``invalid_points_rule``.
    """
    try:
        currency = check_currency(str(body.get("currency", "")))
    except ValueError as exc:
        raise _invalid(str(exc)) from exc
    per_unit, value = _decimal(body, "points_per_unit"), _decimal(body, "point_value")
    percent = _decimal(body, "max_redeem_percent", "100")
    if per_unit < 0 or value <= 0 or not 0 <= percent <= 100:
        raise _invalid("points_per_unit ≥ 0, point_value > 0 and max_redeem_percent 0-100")
    rounding = body.get("rounding", "down")
    if rounding not in ROUNDINGS:
        raise _invalid(f"rounding is one of {', '.join(ROUNDINGS)}")
    months = body.get("expiry_months")
    if not isinstance(months, int) or isinstance(months, bool) or not 0 < months <= MAX_EXPIRY_MONTHS:
        raise _invalid(f"expiry_months must be an integer 1-{MAX_EXPIRY_MONTHS}")
    raw = body.get("multipliers") or {}
    if not isinstance(raw, Mapping):
        raise _invalid("multipliers must map segments to numbers")
    multipliers = {}
    for segment in raw:
        if segment not in SEGMENTS:
            raise _invalid(f"unknown segment {segment!r}")
        number = _decimal(raw, segment)
        if not 0 <= number <= 100:
            raise _invalid(f"multiplier of {segment} must be 0-100")
        multipliers[segment] = str(number)
    note = body.get("note")
    return {"currency": currency, "points_per_unit": per_unit, "rounding": rounding, "multipliers": multipliers,
            "point_value": value, "expiry_months": months, "max_redeem_percent": percent,
            "note": None if note is None else str(note)[:500]}


# --- rules in the database ---------------------------------------------------------------

def _unit(session: Session, actor: Principal, business_unit: str) -> None:
    if not actor.can_see_business_unit(business_unit) or session.execute(
            select(business_units.c.code).where(business_units.c.code == business_unit)).first() is None:
        raise not_found("business unit", business_unit)


def rule_in_force(session: Session, business_unit: str) -> Any:
    """The unit's latest points rule, or None (the unit gives no points)."""
    return session.execute(select(points_rules).where(points_rules.c.business_unit == business_unit)
                           .order_by(points_rules.c.version.desc()).limit(1)).first()


def set_rule(session: Session, actor: Principal, business_unit: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Write a new version of a unit's points rule (finance, admins); audited and emitted as
    ``points_rule.changed``. Lots already earned keep their value and expiry."""
    actor.require(*WRITE_ROLES)
    _unit(session, actor, business_unit)
    values = parse_rule(body)
    current = rule_in_force(session, business_unit)
    version = 1 if current is None else current.version + 1
    now = utcnow()
    session.execute(insert(points_rules).values(business_unit=business_unit, version=version, created_at=now,
                                                created_by=actor.user_id, **values))
    rule = jsonable({"business_unit": business_unit, "version": version, "created_at": now,
                     "created_by": actor.user_id, **values})
    audit.record(session, actor, "points_rule.set", "points_rule", f"{business_unit}@{version}",
                 business_unit=business_unit, details=rule)
    events.emit(session, "points_rule.changed", "points_rule", f"{business_unit}@{version}", rule,
                business_unit=business_unit, json_ready=True)
    return rule


def get_rule(session: Session, actor: Principal, business_unit: str) -> dict[str, Any]:
    """The unit's points rule in force (finance, procurement, admins of the unit)."""
    actor.require(*READ_ROLES)
    _unit(session, actor, business_unit)
    rule = rule_in_force(session, business_unit)
    if rule is None:
        raise not_found("points rule of unit", business_unit)
    return jsonable({k: rule._mapping[k] for k in _RULE_PUBLIC})


# --- movements ---------------------------------------------------------------------------

def _lock_account(session: Session, dealer_id: int, business_unit: str, now: dt.datetime) -> int:
    """Lock (create on first use) the dealer's points account; its balance."""
    row = session.execute(select(points_accounts.c.balance).where(
        points_accounts.c.dealer_account_id == dealer_id).with_for_update()).first()
    if row is not None:
        return row.balance
    session.execute(insert(points_accounts).values(dealer_account_id=dealer_id, business_unit=business_unit,
                                                   balance=0, updated_at=now))
    return 0


def _move_balance(session: Session, dealer_id: int, delta: int, now: dt.datetime) -> bool:
    """Add ``delta`` (negative: take) to the balance, never below zero; False if it would."""
    statement = update(points_accounts).where(points_accounts.c.dealer_account_id == dealer_id)
    if delta < 0:
        statement = statement.where(points_accounts.c.balance >= -delta)
    return session.execute(statement.values(balance=points_accounts.c.balance + delta,
                                            updated_at=now)).rowcount == 1


def _movement(session: Session, dealer: Any, kind: str, points: int, amount: Decimal, currency: str, *,
              order_id: int | None, lot_id: int | None = None, reference: str = "", detail: Any = None,
              entry: int | None, now: dt.datetime, supplier_id: str | None = None) -> int:
    movement_id = session.execute(insert(points_movements).values(
        dealer_account_id=dealer.id, business_unit=dealer.business_unit, kind=kind, points=points,
        amount=amount, currency=currency, order_id=order_id, lot_id=lot_id, reference=reference,
        detail=detail or {}, journal_entry_id=entry, created_at=now).returning(points_movements.c.id)).scalar_one()
    event = {"earn": "points.earned", "redeem": "points.redeemed", "expire": "points.expired",
             "reverse_earn": "points.reversed", "reverse_redeem": "points.reversed"}[kind]
    events.emit(session, event, "dealer_account", dealer.id, {
        "movement_id": movement_id, "kind": kind, "dealer_account_id": dealer.id,
        "customer_ref": dealer.customer_ref, "business_unit": dealer.business_unit, "points": points,
        "amount": amount, "currency": currency, "order_id": order_id, "lot_id": lot_id, "reference": reference,
        "detail": detail or {}, "journal_entry_id": entry, "occurred_at": now,
    }, business_unit=dealer.business_unit, supplier_id=supplier_id)
    return movement_id


def _dealer(session: Session, dealer_id: int) -> Any:
    return session.execute(select(dealer_accounts).where(dealer_accounts.c.id == dealer_id)).one()


def _expire_lot(session: Session, actor: Principal, dealer: Any, lot: Any, now: dt.datetime) -> int:
    """Expire what is left of one lot (account locked by the caller); the points expired."""
    gone = lot.remaining
    if gone <= 0 or session.execute(update(points_lots).where(
            points_lots.c.id == lot.id, points_lots.c.remaining == gone).values(remaining=0)).rowcount != 1:
        return 0
    if not _move_balance(session, dealer.id, -gone, now):  # the balance is the lots' sum
        raise ConflictError("points balance below its lots", code="points_inconsistent")
    value = to_decimal(gone * lot.point_value)
    entry = postings.points_moved(session, actor, "points_expiry", "points_lot", lot.id, dealer.business_unit,
                                  dealer.id, lot.currency, liability=-value)
    _movement(session, dealer, "expire", -gone, value, lot.currency, order_id=None, lot_id=lot.id,
              reference="expiry", entry=entry, now=now)
    return gone


def _expire_account(session: Session, actor: Principal, dealer: Any, now: dt.datetime) -> int:
    lots = session.execute(select(points_lots).where(
        points_lots.c.dealer_account_id == dealer.id, points_lots.c.remaining > 0,
        points_lots.c.expires_at <= now).order_by(points_lots.c.expires_at, points_lots.c.id)).all()
    return sum(_expire_lot(session, actor, dealer, lot, now) for lot in lots)


def expire_due(db: Any, now: dt.datetime | None = None, actor: Principal | None = None) -> dict[str, int]:
    """Expire every lot past its date, one customer per transaction; safe to run at any
    time and concurrently with orders (``grouplake tx expire-points``).

    Returns:
        ``{"customers": n, "points": total expired}``.
    """
    from transactional.domain.principal import SYSTEM

    when, who = now or utcnow(), actor or SYSTEM
    with db.read() as session:
        dealers = session.execute(select(points_lots.c.dealer_account_id).where(
            points_lots.c.remaining > 0, points_lots.c.expires_at <= when).distinct()
            .order_by(points_lots.c.dealer_account_id)).scalars().all()
    total = 0
    for dealer_id in dealers:
        def one(session: Session, d: int = dealer_id) -> int:
            dealer = _dealer(session, d)
            _lock_account(session, d, dealer.business_unit, when)
            gone = _expire_account(session, who, dealer, when)
            if gone:
                audit.record(session, who, "points.expire", "dealer_account", d,
                             business_unit=dealer.business_unit, details={"points": gone})
            return gone
        total += db.run_write(one)
    return {"customers": len(dealers), "points": total}


def redeem(session: Session, actor: Principal, order: Mapping[str, Any], dealer: Any, points: int,
           already_off: Decimal, now: dt.datetime) -> dict[str, Any]:
    """Redeem ``points`` on a just-inserted order (inside the placement transaction).

    Args:
        order: the order's row values with its ``id``.
        dealer: the customer (``customers.customer_of``), or None.
        already_off: what a coupon already took off the order.

    Raises:
        ValidationFailedError ``points_unavailable`` (no customer, no rule, another currency,
        more than the rule's share of the order); ConflictError ``points_insufficient``
        (the balance, after expiry, is short).
    """
    if points <= 0:
        raise ValidationFailedError("points_to_redeem must be positive", code="points_unavailable")
    rule = rule_in_force(session, order["business_unit"])
    if dealer is None or rule is None or rule.currency != order["currency"]:
        raise ValidationFailedError("points cannot be redeemed on this order (no customer account, or the unit "
                                    "has no points rule in its currency)", code="points_unavailable")
    amount = to_decimal(points * rule.point_value)
    cap = to_decimal(min(order["total_amount"] * rule.max_redeem_percent / 100,
                         order["total_amount"] - already_off))
    if amount > cap:
        raise ValidationFailedError(f"{points} points are worth {amount} {rule.currency}; at most {cap} of this "
                                    f"order may be paid with points", code="points_unavailable",
                                    details={"points_value": str(amount), "max_amount": str(cap)})
    full = _dealer(session, dealer.id)
    _lock_account(session, full.id, full.business_unit, now)
    _expire_account(session, actor, full, now)
    if not _move_balance(session, full.id, -points, now):  # the one conditional update
        balance = session.execute(select(points_accounts.c.balance).where(
            points_accounts.c.dealer_account_id == full.id)).scalar_one()
        raise ConflictError(f"only {balance} points available, {points} asked", code="points_insufficient",
                            details={"balance": balance, "asked": points})
    consumed: dict[str, int] = {}
    liability = Decimal(0)
    need = points
    lots = session.execute(select(points_lots).where(
        points_lots.c.dealer_account_id == full.id, points_lots.c.remaining > 0)
        .order_by(points_lots.c.expires_at, points_lots.c.id)).all()
    for lot in lots:  # FIFO: the earliest-expiring first
        if need == 0:
            break
        take = min(need, lot.remaining)
        if session.execute(update(points_lots).where(points_lots.c.id == lot.id, points_lots.c.remaining >= take)
                           .values(remaining=points_lots.c.remaining - take)).rowcount != 1:
            raise ConflictError("points lot changed under the account lock", code="points_inconsistent")
        consumed[str(lot.id)] = take
        liability += take * lot.point_value
        need -= take
    if need:
        raise ConflictError("points balance above its lots", code="points_inconsistent")
    entry = postings.points_moved(session, actor, "points_redemption", "order", order["id"], full.business_unit,
                                  full.id, rule.currency, liability=-liability, receivable=amount,
                                  supplier_id=order["supplier_id"])
    movement = _movement(session, full, "redeem", -points, amount, rule.currency, order_id=order["id"],
                         detail={"lots": consumed, "liability": str(to_decimal(liability)),
                                 "rule_version": rule.version},
                         entry=entry, now=now, supplier_id=order["supplier_id"])
    _adjusted(session, "points_redemption", movement, order["id"], order["business_unit"], order["supplier_id"],
              full, -amount, rule.currency, entry, now)
    audit.record(session, actor, "points.redeem", "order", order["id"], business_unit=full.business_unit,
                 details={"dealer_account_id": full.id, "points": points, "amount": amount, "lots": consumed})
    return {"points": points, "amount": str(amount), "currency": rule.currency, "movement_id": movement,
            "journal_entry_id": entry}


def _adjusted(session: Session, kind: str, movement_id: int, order_id: int, business_unit: str,
              supplier_id: str | None, dealer: Any, amount: Decimal, currency: str, entry: int,
              now: dt.datetime) -> None:
    """The receivables export: the ERP reduces (negative) or restores the receivable."""
    events.emit(session, "receivable.adjusted", "order", order_id, {
        "adjustment": kind, "movement_id": movement_id, "order_id": order_id, "business_unit": business_unit,
        "dealer_account_id": dealer.id, "customer_ref": dealer.customer_ref, "campaign_code": None,
        "amount": amount, "currency": currency, "journal_entry_id": entry, "occurred_at": now,
    }, business_unit=business_unit, supplier_id=supplier_id)


def _paid_amount(session: Session, order: Any) -> Decimal:
    """What the customer pays for ``order``: its total less coupon and points redeemed."""
    coupon = session.execute(select(func.coalesce(func.sum(coupon_redemptions.c.amount), 0)).where(
        coupon_redemptions.c.order_id == order.id, coupon_redemptions.c.status == "redeemed")).scalar_one()
    points = session.execute(select(func.coalesce(func.sum(points_movements.c.amount), 0)).where(
        points_movements.c.order_id == order.id, points_movements.c.kind == "redeem")).scalar_one()
    return to_decimal(order.total_amount) - to_decimal(coupon) - to_decimal(points)


def earn_on_pay(session: Session, actor: Principal, order: Any, action: str, reason: str | None,
                now: dt.datetime) -> dict[str, Any] | None:
    """Lifecycle effect ``points.earn``: the order's customer earns one lot of points on what
    it pays. None when the order has no customer, the unit no rule, or it earns nothing."""
    terms = session.execute(select(order_terms.c.dealer_account_id, order_terms.c.segment).where(
        order_terms.c.order_id == order.id)).first()
    if terms is None or terms.dealer_account_id is None:
        return None
    rule = rule_in_force(session, order.business_unit)
    if rule is None or rule.currency != order.currency:
        return None
    multiplier = to_decimal(str((rule.multipliers or {}).get(terms.segment, "1")))
    points = points_for(_paid_amount(session, order), rule.points_per_unit, rule.rounding, multiplier)
    if points <= 0:
        return None
    dealer = _dealer(session, terms.dealer_account_id)
    _lock_account(session, dealer.id, dealer.business_unit, now)
    expires = add_months(now, rule.expiry_months)
    lot_id = session.execute(insert(points_lots).values(
        dealer_account_id=dealer.id, business_unit=dealer.business_unit, order_id=order.id,
        rule_version=rule.version, points=points, remaining=points, point_value=rule.point_value,
        currency=rule.currency, earned_at=now, expires_at=expires).returning(points_lots.c.id)).scalar_one()
    _move_balance(session, dealer.id, points, now)
    value = to_decimal(points * rule.point_value)
    entry = postings.points_moved(session, actor, "points_earned", "order", order.id, dealer.business_unit,
                                  dealer.id, rule.currency, liability=value, supplier_id=order.supplier_id)
    _movement(session, dealer, "earn", points, value, rule.currency, order_id=order.id, lot_id=lot_id,
              detail={"rule_version": rule.version, "segment": terms.segment, "multiplier": str(multiplier)},
              entry=entry, now=now, supplier_id=order.supplier_id)
    return {"points": points, "lot_id": lot_id, "expires_at": expires.isoformat(), "journal_entry_id": entry}


def _claw_back(session: Session, actor: Principal, order: Any, want: int, reference: str,
               now: dt.datetime) -> dict[str, Any] | None:
    """Take back up to ``want`` points of the order's lot (never more than it has left)."""
    lot = session.execute(select(points_lots).where(points_lots.c.order_id == order.id)).first()
    if lot is None or want <= 0:
        return None
    dealer = _dealer(session, lot.dealer_account_id)
    _lock_account(session, dealer.id, dealer.business_unit, now)
    lot = session.execute(select(points_lots).where(points_lots.c.id == lot.id)).one()
    take = min(want, lot.remaining)
    if take > 0:
        session.execute(update(points_lots).where(points_lots.c.id == lot.id, points_lots.c.remaining >= take)
                        .values(remaining=points_lots.c.remaining - take))
        if not _move_balance(session, dealer.id, -take, now):
            raise ConflictError("points balance below its lots", code="points_inconsistent")
    value = to_decimal(take * lot.point_value)
    entry = (postings.points_moved(session, actor, "points_earned_reversal", "order", order.id,
                                   dealer.business_unit, dealer.id, lot.currency, liability=-value,
                                   supplier_id=order.supplier_id) if take else None)
    _movement(session, dealer, "reverse_earn", -take, value, lot.currency, order_id=order.id, lot_id=lot.id,
              reference=reference, detail={"asked": want, "shortfall": want - take}, entry=entry, now=now,
              supplier_id=order.supplier_id)
    return {"points": -take, "shortfall": want - take, "journal_entry_id": entry}


def reverse_on_cancel(session: Session, actor: Principal, order: Any, action: str, reason: str | None,
                      now: dt.datetime) -> dict[str, Any] | None:
    """Lifecycle effect ``points.reverse``: give the order's redeemed points back to their lots
    (restore the receivable) and take back what a paid order earned. None if neither."""
    done: dict[str, Any] = {}
    redeemed = session.execute(select(points_movements).where(
        points_movements.c.order_id == order.id, points_movements.c.kind == "redeem")).first()
    already = redeemed is not None and session.execute(select(points_movements.c.id).where(
        points_movements.c.order_id == order.id, points_movements.c.kind == "reverse_redeem")).first()
    if redeemed is not None and not already:
        dealer = _dealer(session, redeemed.dealer_account_id)
        _lock_account(session, dealer.id, dealer.business_unit, now)
        for lot_id, taken in sorted(redeemed.detail["lots"].items()):
            session.execute(update(points_lots).where(points_lots.c.id == int(lot_id))
                            .values(remaining=points_lots.c.remaining + taken))
        _move_balance(session, dealer.id, -redeemed.points, now)
        liability = to_decimal(redeemed.detail["liability"])
        entry = postings.points_moved(session, actor, "points_redemption_reversal", "order", order.id,
                                      dealer.business_unit, dealer.id, redeemed.currency, liability=liability,
                                      receivable=-redeemed.amount, supplier_id=order.supplier_id)
        movement = _movement(session, dealer, "reverse_redeem", -redeemed.points, redeemed.amount,
                             redeemed.currency, order_id=order.id, reference=action,
                             detail={"lots": redeemed.detail["lots"]}, entry=entry, now=now,
                             supplier_id=order.supplier_id)
        _adjusted(session, "points_reversal", movement, order.id, order.business_unit, order.supplier_id, dealer,
                  redeemed.amount, redeemed.currency, entry, now)
        done["restored"] = -redeemed.points
        audit.record(session, actor, "points.restore", "order", order.id, business_unit=dealer.business_unit,
                     details={"dealer_account_id": dealer.id, "points": -redeemed.points, "cause": action})
        # expired meanwhile: the restored points expire at the next sweep
    lot = session.execute(select(points_lots.c.points).where(points_lots.c.order_id == order.id)).first()
    if lot is not None:
        clawed = _claw_back(session, actor, order, lot.points, "cancel", now)
        if clawed is not None:
            done["earned_reversed"] = clawed
    return done or None


def claw_back_refund(session: Session, actor: Principal, order: Any, refund_id: int, amount: Decimal,
                     now: dt.datetime) -> dict[str, Any] | None:
    """A refund of ``amount`` takes back the order's earned points in proportion (rounded
    down, never more than the lot has left)."""
    lot = session.execute(select(points_lots.c.points).where(points_lots.c.order_id == order.id)).first()
    if lot is None or order.total_amount <= 0:
        return None
    want = int((lot.points * to_decimal(amount) / to_decimal(order.total_amount)).quantize(
        Decimal(1), rounding=ROUND_DOWN))
    return _claw_back(session, actor, order, min(want, lot.points), f"refund:{refund_id}", now)


# --- the customer 360 --------------------------------------------------------------------

def _visible_dealer(session: Session, actor: Principal, dealer_id: int) -> Any:
    row = session.execute(select(dealer_accounts).where(dealer_accounts.c.id == dealer_id)).first()
    visible = row is not None and (
        (actor.role in STAFF and actor.can_see_business_unit(row.business_unit))
        or (actor.role is Role.BUYER and row.buyer_user_id == actor.user_id))
    if not visible:
        raise not_found("customer", dealer_id)
    return row


def summary(session: Session, dealer_id: int, now: dt.datetime) -> dict[str, Any]:
    """Balance, lots with points left (and when they expire) and recent movements."""
    balance = session.execute(select(points_accounts.c.balance).where(
        points_accounts.c.dealer_account_id == dealer_id)).scalar()
    lots = session.execute(select(points_lots).where(
        points_lots.c.dealer_account_id == dealer_id, points_lots.c.remaining > 0)
        .order_by(points_lots.c.expires_at, points_lots.c.id)).all()
    moves = session.execute(select(points_movements).where(points_movements.c.dealer_account_id == dealer_id)
                            .order_by(points_movements.c.id.desc()).limit(RECENT)).all()
    expiring = [lot for lot in lots if lot.expires_at > now]
    return jsonable({
        "balance": balance or 0,
        "spendable": sum(lot.remaining for lot in expiring),
        "next_expiry": ({"at": expiring[0].expires_at, "points": expiring[0].remaining} if expiring else None),
        "lots": [{k: lot._mapping[k] for k in ("id", "order_id", "points", "remaining", "point_value", "currency",
                                                "earned_at", "expires_at", "rule_version")} for lot in lots],
        "movements": [{k: m._mapping[k] for k in ("id", "kind", "points", "amount", "currency", "order_id",
                                                   "lot_id", "reference", "created_at", "journal_entry_id")}
                      for m in moves],
    })


def customer_points(session: Session, actor: Principal, dealer_id: int) -> dict[str, Any]:
    """A customer's points (its unit's staff, or the buyer linked to it; others 404)."""
    dealer = _visible_dealer(session, actor, dealer_id)
    return {"customer_id": dealer.id, "business_unit": dealer.business_unit, **summary(session, dealer.id, utcnow())}
