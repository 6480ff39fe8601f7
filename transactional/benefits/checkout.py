"""What the benefits do to an order being placed: its payment terms, its coupon and its points.

:func:`at_placement` is the one call ``ordering/placement.py`` makes, inside the placement
transaction right after the order row is inserted. It records the payment terms the order is
placed on (``order_terms``: the customer's current terms from its segment and policy
version, else the global default), so a later segment or policy change never alters an
existing order, redeems the coupon the buyer named (``benefits/redemption.py``) and the
loyalty points it pays with (``benefits/points.py``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from transactional.benefits import points as loyalty_points
from transactional.benefits import redemption
from transactional.benefits.customers import customer_of
from transactional.db.fastpath import HotStatement
from transactional.db.tables.benefits import order_terms
from transactional.domain.principal import Principal

_INSERT_TERMS = HotStatement(insert(order_terms))


def at_placement(session: Session, actor: Principal, order: dict[str, Any], coupon_code: str | None,
                 default_terms_days: int, now: dt.datetime, points_to_redeem: int | None = None) -> dict[str, Any]:
    """Record the order's payment terms, redeem its coupon and its points (if any).

    Args:
        order: the inserted order's values, with its ``id``.
        coupon_code: the coupon the buyer named, or None.
        points_to_redeem: loyalty points the buyer pays part of the order with, or None.
        default_terms_days: the terms of a customer without segment benefits.

    Returns:
        ``{"payment_terms_days", "origin", "segment", "policy_version", "coupon", "points"}``.

    Raises:
        See :func:`transactional.benefits.redemption.redeem` and
        :func:`transactional.benefits.points.redeem` (the whole order then fails).
    """
    customer = customer_of(session, actor)
    granted = customer is not None and customer.payment_terms_days is not None
    terms = {
        "order_id": order["id"], "business_unit": order["business_unit"],
        "dealer_account_id": customer.id if customer is not None else None,
        "customer_ref": customer.customer_ref if customer is not None else None,
        "segment": customer.segment if customer is not None else None,
        "policy_version": customer.policy_version if granted else None,
        "snapshot_version": customer.snapshot_version if customer is not None else None,
        "payment_terms_days": customer.payment_terms_days if granted else default_terms_days,
        "origin": "segment" if granted else "default", "recorded_at": now,
    }
    _INSERT_TERMS.execute(session, terms)
    coupon = redemption.redeem(session, actor, order, customer, coupon_code, now) if coupon_code else None
    points = (loyalty_points.redeem(session, actor, order, customer, points_to_redeem,
                                    Decimal(coupon["amount"]) if coupon else Decimal(0), now)
              if points_to_redeem else None)
    return {"payment_terms_days": terms["payment_terms_days"], "origin": terms["origin"],
            "segment": terms["segment"], "policy_version": terms["policy_version"], "coupon": coupon,
            "points": points}
