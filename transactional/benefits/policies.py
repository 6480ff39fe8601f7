"""Segment → benefit policies, one versioned document per business unit.

Finance and admins of a unit (group admins: any unit) set the unit's policy: for each RFM
segment, payment terms, credit limit, a dedicated account manager, a discount tier and the
coupon campaigns it receives, with a ``default`` for segments not named. Every change is a
new version (``benefit_policies`` is append-only), audited, emitted as
``benefit_policy.changed`` (the lake ingests it), and re-grants every customer of the unit
at once from its stored segment, so each benefit names the version that granted it. Orders
placed earlier keep the terms they were placed on (``order_terms``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from transactional.benefits.granting import policy_in_force, regrant_unit
from transactional.benefits.rules import parse_policy
from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.db.tables.benefits import benefit_policies, coupon_campaigns
from transactional.db.tables.identity import business_units
from transactional.db.types import utcnow
from transactional.domain.errors import ValidationFailedError
from transactional.domain.money import check_currency
from transactional.domain.principal import Principal, Role, not_found

WRITE_ROLES = (Role.FINANCE, Role.ADMIN)
READ_ROLES = (Role.FINANCE, Role.ADMIN, Role.PROCUREMENT)
_PUBLIC = ("business_unit", "version", "currency", "rules", "note", "created_at", "created_by")


def _public(row: Any) -> dict[str, Any]:
    return jsonable({k: row._mapping[k] for k in _PUBLIC})


def _unit(session: Session, actor: Principal, business_unit: str) -> None:
    if not actor.can_see_business_unit(business_unit) or session.execute(
            select(business_units.c.code).where(business_units.c.code == business_unit)).first() is None:
        raise not_found("business unit", business_unit)


def set_policy(session: Session, actor: Principal, business_unit: str, rules: Mapping[str, Any],
               currency: str, note: str | None = None) -> dict[str, Any]:
    """Write a new version of a unit's policy and re-grant its customers.

    Returns:
        The new version, plus ``customers_regranted`` (customers whose terms changed).

    Raises:
        ForbiddenError (role), NotFoundError (unit outside scope), ValidationFailedError
        ``invalid_policy`` (bad document, currency, or a campaign code not of this unit).
    """
    actor.require(*WRITE_ROLES)
    _unit(session, actor, business_unit)
    default, by_segment = parse_policy(rules)
    try:
        currency = check_currency(currency)
    except ValueError as exc:
        raise ValidationFailedError(str(exc), code="invalid_policy") from exc
    codes = sorted({c for b in (default, *by_segment.values()) for c in b.campaigns})
    known = set(session.execute(select(coupon_campaigns.c.code).where(
        coupon_campaigns.c.code.in_(codes), coupon_campaigns.c.business_unit == business_unit)).scalars())
    if set(codes) - known:
        raise ValidationFailedError(
            f"unknown campaign(s) for {business_unit}: {', '.join(sorted(set(codes) - known))}",
            code="invalid_policy", details={"campaigns": sorted(set(codes) - known)})
    previous = policy_in_force(session, business_unit)
    stored = jsonable({"default": default.__dict__ | {"campaigns": list(default.campaigns)},
                       "segments": {name: b.__dict__ | {"campaigns": list(b.campaigns)}
                                    for name, b in sorted(by_segment.items())}})
    if previous is not None and previous.rules == stored and previous.currency == currency:
        return {**_public(previous), "customers_regranted": 0, "unchanged": True}  # a retry
    version = 1 if previous is None else previous.version + 1
    now = utcnow()
    session.execute(insert(benefit_policies).values(
        business_unit=business_unit, version=version, currency=currency, rules=stored, note=note,
        created_at=now, created_by=actor.user_id))
    row = policy_in_force(session, business_unit)
    body = _public(row)
    audit.record(session, actor, "benefit_policy.set", "benefit_policy", f"{business_unit}@v{version}",
                 business_unit=business_unit, details={"version": version, "replaces": version - 1 or None,
                                                       "note": note})
    events.emit(session, "benefit_policy.changed", "benefit_policy", business_unit, body,
                business_unit=business_unit, json_ready=True)
    return {**body, "customers_regranted": regrant_unit(session, actor, business_unit, now)}


def get_policy(session: Session, actor: Principal, business_unit: str,
               version: int | None = None) -> dict[str, Any]:
    """The unit's policy in force (or one version of it)."""
    actor.require(*READ_ROLES)
    _unit(session, actor, business_unit)
    if version is None:
        row = policy_in_force(session, business_unit)
    else:
        row = session.execute(select(benefit_policies).where(
            benefit_policies.c.business_unit == business_unit, benefit_policies.c.version == version)).first()
    if row is None:
        raise not_found("benefit policy", f"{business_unit}@v{version}" if version else business_unit)
    return _public(row)


def list_versions(session: Session, actor: Principal, business_unit: str) -> list[dict[str, Any]]:
    """Every version of the unit's policy, newest first (the audit trail of its changes)."""
    actor.require(*READ_ROLES)
    _unit(session, actor, business_unit)
    rows = session.execute(select(benefit_policies).where(benefit_policies.c.business_unit == business_unit)
                           .order_by(benefit_policies.c.version.desc())).all()
    return [_public(r) for r in rows]
