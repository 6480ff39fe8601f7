"""Granting benefits: a customer's segment × its unit's policy in force → ``customer_benefits``.

Used by both ways a benefit changes: a new segments snapshot from the lake
(``benefits/inbound.py``) and a new policy version (``benefits/policies.py``). Each row
records the segment and the policy version that granted it; a change of terms emits
``customer_benefit.changed`` (the lake ingests it) and the campaigns the segment receives are
issued to the customer's dealer accounts (once per campaign and account).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from transactional.benefits import coupons
from transactional.benefits.rules import grant_for
from transactional.core import events
from transactional.db.tables.benefits import benefit_policies, customer_benefits
from transactional.domain.principal import Principal

#: The columns a grant decides (compared to tell a change from a refresh).
TERMS = ("segment", "payment_terms_days", "credit_limit", "currency", "account_manager",
         "discount_tier", "campaigns", "policy_version")


def policy_in_force(session: Session, business_unit: str) -> Any:
    """The latest ``benefit_policies`` row of a unit, or None (no policy: global defaults)."""
    return session.execute(
        select(benefit_policies).where(benefit_policies.c.business_unit == business_unit)
        .order_by(benefit_policies.c.version.desc()).limit(1)).first()


def terms_for(policy: Any, segment: str) -> dict[str, Any]:
    """The benefit columns ``segment`` gets under ``policy`` (None: no policy, no benefits)."""
    if policy is None:
        return {"segment": segment, "payment_terms_days": None, "credit_limit": None,
                "currency": None, "account_manager": False, "discount_tier": None,
                "campaigns": [], "policy_version": None}
    benefit = grant_for(policy.rules, segment)
    return {"segment": segment, "payment_terms_days": benefit.payment_terms_days,
            "credit_limit": benefit.credit_limit, "currency": policy.currency,
            "account_manager": benefit.account_manager, "discount_tier": benefit.discount_tier,
            "campaigns": list(benefit.campaigns), "policy_version": policy.version}


def _public(key: tuple[str, str], values: Mapping[str, Any]) -> dict[str, Any]:
    return {"business_unit": key[0], "customer_ref": key[1],
            **{k: values.get(k) for k in (*TERMS, "snapshot_version")}}


def write_grant(session: Session, actor: Principal, key: tuple[str, str], existing: Any,
                values: dict[str, Any], now: dt.datetime) -> bool:
    """Insert or update one customer's benefits; returns whether its terms changed.

    Args:
        key: (business unit, CRM customer id).
        existing: the current ``customer_benefits`` row, or None.
        values: :func:`terms_for` plus ``customer_name``, ``rfm_cell``, ``clv``,
            ``snapshot_version``.
    """
    changed = existing is None or any(getattr(existing, k) != values[k] for k in TERMS)
    row = {**values, "updated_at": now}
    if changed:
        row["granted_at"] = now
    if existing is None:
        session.execute(insert(customer_benefits).values(
            business_unit=key[0], customer_ref=key[1], **row))
    else:
        session.execute(update(customer_benefits).where(
            customer_benefits.c.business_unit == key[0],
            customer_benefits.c.customer_ref == key[1]).values(**row))
    if changed:
        before = {k: getattr(existing, k) for k in TERMS} if existing is not None else None
        events.emit(session, "customer_benefit.changed", "customer", f"{key[0]}:{key[1]}",
                    {**_public(key, values), "before": before, "granted_at": now},
                    business_unit=key[0])
        if values["campaigns"]:
            origin = f"segment {values['segment']} @ policy v{values['policy_version']}"
            coupons.issue_to_customer(session, actor, key[0], key[1], values["campaigns"], origin, now)
    return changed


def regrant_unit(session: Session, actor: Principal, business_unit: str, now: dt.datetime) -> int:
    """Re-derive every customer's benefits of a unit from its stored segment (a new policy
    version); returns how many customers' terms changed."""
    policy = policy_in_force(session, business_unit)
    rows = session.execute(select(customer_benefits).where(
        customer_benefits.c.business_unit == business_unit)
        .order_by(customer_benefits.c.customer_ref)).all()
    changed = 0
    for row in rows:
        values = {**terms_for(policy, row.segment), "customer_name": row.customer_name,
                  "rfm_cell": row.rfm_cell, "clv": row.clv, "snapshot_version": row.snapshot_version}
        changed += write_grant(session, actor, (business_unit, row.customer_ref), row, values, now)
    return changed
