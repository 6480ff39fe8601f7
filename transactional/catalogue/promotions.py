"""Promotions: full reduction, percentage and tiered dealer rebates, versioned and scoped.

Who: admins and procurement create and change promotions — a unit's staff only for their
unit (``business_unit`` = theirs), a group admin for any unit or the whole group
(``business_unit`` None). Everyone reads the promotions that may apply to them: a unit's
users see their unit's and the group-wide ones, a supplier the ones it funds
(``supplier_id`` = itself) and the group-wide ones. Every change bumps ``version`` and
stores the full snapshot in ``promotion_versions`` (append-only), so the version an order
line records can always be read back; emits ``promotion.created`` / ``promotion.changed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.core.paging import fetch_page
from transactional.db.fastpath import HotStatement
from transactional.db.tables.catalogue import categories, promotion_versions, promotions
from transactional.db.tables.identity import suppliers
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ForbiddenError, ValidationFailedError
from transactional.domain.principal import Principal, Role, not_found
from transactional.domain.promotions import KINDS, STACKING, PriceRule, validate_rules
from transactional.identity.directory import CODE

WRITE_ROLES = (Role.ADMIN, Role.PROCUREMENT)
MUTABLE = ("name", "valid_from", "valid_to", "priority", "stacking", "stacks_with", "rules",
           "is_active")

#: Price promotions that may apply to an order now (scope by unit and supplier; category
#: and currency are checked per line by the pricing rules). Built once (order hot path).
_PRICE_RULES = HotStatement(
    select(promotions.c.id, promotions.c.version, promotions.c.code, promotions.c.kind,
           promotions.c.priority, promotions.c.stacking, promotions.c.stacks_with,
           promotions.c.category_id, promotions.c.currency, promotions.c.rules)
    .where(promotions.c.kind.in_(("full_reduction", "percentage")),
           promotions.c.is_active.is_(True),
           or_(promotions.c.business_unit.is_(None),
               promotions.c.business_unit == bindparam("bu")),
           or_(promotions.c.supplier_id.is_(None),
               promotions.c.supplier_id == bindparam("supplier")),
           promotions.c.valid_from <= bindparam("now"),
           or_(promotions.c.valid_to.is_(None), promotions.c.valid_to > bindparam("now")))
    .order_by(promotions.c.priority, promotions.c.id)
)


def price_rules(session: Session, business_unit: str, supplier_id: str,
                now: dt.datetime) -> list[PriceRule]:
    """Active price promotions for an order of ``business_unit`` with ``supplier_id``."""
    rows = _PRICE_RULES.execute(session, {"bu": business_unit, "supplier": supplier_id,
                                          "now": now})
    return [PriceRule(r.id, r.version, r.code, r.kind, r.priority, r.stacking,
                      frozenset(r.stacks_with or ()), r.category_id, r.currency, r.rules)
            for r in rows]


def rebate_programmes(session: Session, business_unit: str, supplier_id: str,
                      now: dt.datetime) -> list[Any]:
    """Active tiered-rebate promotions for an order of ``business_unit`` with ``supplier_id``."""
    return session.execute(
        select(promotions).where(
            promotions.c.kind == "tiered_rebate", promotions.c.is_active.is_(True),
            or_(promotions.c.business_unit.is_(None), promotions.c.business_unit == business_unit),
            or_(promotions.c.supplier_id.is_(None), promotions.c.supplier_id == supplier_id),
            promotions.c.valid_from <= now,
            or_(promotions.c.valid_to.is_(None), promotions.c.valid_to > now),
        ).order_by(promotions.c.priority, promotions.c.id)).all()


def public(row: Any) -> dict[str, Any]:
    """The JSON-ready snapshot of a ``promotions`` row."""
    return {k: row._mapping[k] for k in (
        "id", "code", "name", "kind", "business_unit", "category_id", "supplier_id", "currency",
        "valid_from", "valid_to", "priority", "stacking", "stacks_with", "rules", "is_active",
        "version", "created_at", "updated_at")}


def _check_scope(session: Session, actor: Principal, values: Mapping[str, Any]) -> None:
    actor.require(*WRITE_ROLES)
    if not actor.is_group_admin and values.get("business_unit") != actor.business_unit:
        raise ForbiddenError("unit staff create and change promotions of their own unit only")
    problems = []
    if values.get("kind") not in KINDS:
        problems.append(f"kind: one of {', '.join(KINDS)}")
    if values.get("stacking") not in STACKING:
        problems.append("stacking: exclusive or stackable")
    if any(k not in KINDS for k in values.get("stacks_with") or ()):
        problems.append(f"stacks_with: kinds among {', '.join(KINDS)}")
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if valid_to is not None and valid_from is not None and valid_to <= valid_from:
        problems.append("valid_to must be after valid_from")
    if values.get("category_id") is not None and session.execute(select(categories.c.id).where(
            categories.c.id == values["category_id"])).first() is None:
        problems.append(f"unknown category {values['category_id']}")
    if values.get("supplier_id") is not None and session.execute(select(suppliers.c.id).where(
            suppliers.c.id == values["supplier_id"])).first() is None:
        problems.append(f"unknown supplier {values['supplier_id']!r}")
    if problems:
        raise ValidationFailedError("invalid promotion", details={"problems": problems})


def _remember_version(session: Session, actor: Principal, row: Any) -> dict[str, Any]:
    snapshot = public(row)
    session.execute(insert(promotion_versions).values(
        promotion_id=row.id, version=row.version, snapshot=jsonable(snapshot),
        created_at=utcnow(), created_by=actor.user_id))
    return snapshot


def create_promotion(session: Session, actor: Principal, values: Mapping[str, Any]) -> dict:
    """Create a promotion.

    Args:
        values: ``code, name, kind, business_unit, category_id, supplier_id, currency,
            valid_from, valid_to, priority, stacking, stacks_with, rules``.

    Raises:
        ForbiddenError, ValidationFailedError, ConflictError (code exists).
    """
    data = {"priority": 100, "stacking": "exclusive", "stacks_with": [], "valid_to": None,
            "business_unit": None, "category_id": None, "supplier_id": None, "currency": None,
            **values}
    data["valid_from"] = data.get("valid_from") or utcnow()
    _check_scope(session, actor, data)
    if not CODE.match(data.get("code") or ""):
        raise ValidationFailedError("code: 1-64 letters, digits, _ or -")
    data["rules"] = validate_rules(data["kind"], data["currency"], data.get("rules") or {})
    if session.execute(select(promotions.c.id).where(promotions.c.code == data["code"])).first():
        raise ConflictError(f"promotion {data['code']!r} exists", code="duplicate")
    now = utcnow()
    promotion_id = session.execute(insert(promotions).values(
        **{k: data[k] for k in ("code", "name", "kind", "business_unit", "category_id",
                                "supplier_id", "currency", "valid_from", "valid_to",
                                "priority", "stacking", "rules")},
        stacks_with=sorted(set(data["stacks_with"])), is_active=True, version=1,
        created_at=now, updated_at=now).returning(promotions.c.id)).scalar_one()
    row = session.execute(select(promotions).where(promotions.c.id == promotion_id)).one()
    snapshot = _remember_version(session, actor, row)
    audit.record(session, actor, "promotion.create", "promotion", promotion_id,
                 business_unit=row.business_unit, details={"code": row.code, "kind": row.kind})
    events.emit(session, "promotion.created", "promotion", promotion_id, snapshot,
                business_unit=row.business_unit, supplier_id=row.supplier_id)
    return snapshot


def _visible(actor: Principal, row: Any) -> bool:
    if actor.role is Role.SUPPLIER:
        return row.supplier_id in (None, actor.supplier_id)
    return actor.is_group_admin or row.business_unit in (None, actor.business_unit)


def get_promotion(session: Session, actor: Principal, promotion_id: int) -> dict[str, Any]:
    """One promotion visible to ``actor`` (404 otherwise)."""
    row = session.execute(select(promotions).where(promotions.c.id == promotion_id)).first()
    if row is None or not _visible(actor, row):
        raise not_found("promotion", promotion_id)
    return public(row)


def update_promotion(session: Session, actor: Principal, promotion_id: int,
                     changes: Mapping[str, Any]) -> dict[str, Any]:
    """Change a promotion (its unit's admins/procurement, group admins); bumps ``version``."""
    actor.require(*WRITE_ROLES)
    row = session.execute(select(promotions).where(promotions.c.id == promotion_id)
                          .with_for_update()).first()
    if row is None or not (actor.is_group_admin or row.business_unit == actor.business_unit):
        raise not_found("promotion", promotion_id)
    unknown = set(changes) - set(MUTABLE)
    if unknown:
        raise ValidationFailedError(f"cannot change {', '.join(sorted(unknown))}")
    merged = {**public(row), **changes}
    _check_scope(session, actor, merged)
    if "rules" in changes:
        merged["rules"] = validate_rules(row.kind, row.currency, changes["rules"] or {})
    values = {k: merged[k] for k in MUTABLE}
    values["stacks_with"] = sorted(set(values["stacks_with"] or ()))
    session.execute(update(promotions).where(promotions.c.id == promotion_id).values(
        **values, version=row.version + 1, updated_at=utcnow()))
    fresh = session.execute(select(promotions).where(promotions.c.id == promotion_id)).one()
    snapshot = _remember_version(session, actor, fresh)
    audit.record(session, actor, "promotion.update", "promotion", promotion_id,
                 business_unit=fresh.business_unit,
                 details={"changed": sorted(changes), "version": fresh.version})
    events.emit(session, "promotion.changed", "promotion", promotion_id, snapshot,
                business_unit=fresh.business_unit, supplier_id=fresh.supplier_id)
    return snapshot


def list_promotions(session: Session, actor: Principal, page: PageRequest, *,
                    kind: str | None = None, active: bool | None = None) -> Page[dict]:
    """Promotions visible to ``actor``, by id."""
    query = select(promotions).order_by(promotions.c.id)
    if actor.role is Role.SUPPLIER:
        query = query.where(or_(promotions.c.supplier_id.is_(None),
                                promotions.c.supplier_id == actor.supplier_id))
    elif not actor.is_group_admin:
        query = query.where(or_(promotions.c.business_unit.is_(None),
                                promotions.c.business_unit == actor.business_unit))
    if kind:
        query = query.where(promotions.c.kind == kind)
    if active is not None:
        query = query.where(promotions.c.is_active.is_(active))
    rows, total = fetch_page(session, query, page)
    return Page.of([public(r) for r in rows], total, page)
