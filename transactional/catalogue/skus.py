"""The catalogue: categories with attribute templates, and SKUs validated against them.

The catalogue is group-wide reference data: every authenticated user may read it; admins
create categories, admins and procurement create SKUs. Attribute values are also written to
``sku_attribute_values`` (one row per attribute) so that filters such as
``sulphur:lte:0.8`` are indexed SQL on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, insert, or_, select
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core import audit, events
from transactional.core.paging import fetch_page
from transactional.db.tables.catalogue import categories, sku_attribute_values, skus
from transactional.db.types import utcnow
from transactional.domain.attributes import (
    AttributeFilter,
    parse_template,
    validate_attributes,
)
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.principal import Principal, Role, not_found
from transactional.domain.search import query_tokens, search_text
from transactional.identity.directory import CODE


def create_category(
    session: Session, actor: Principal, code: str, name: str,
    attributes: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Create a category and its attribute template (admins only)."""
    actor.require(Role.ADMIN)
    if not CODE.match(code or "") or not (name or "").strip():
        raise ValidationFailedError("code: letters, digits, _ or -; name: not empty")
    template = [spec.as_json() for spec in parse_template(attributes)]
    if session.execute(select(categories.c.id).where(categories.c.code == code)).first():
        raise ConflictError(f"category {code!r} exists", code="duplicate")
    now = utcnow()
    category_id = session.execute(
        insert(categories).values(code=code, name=name.strip(), attribute_template=template,
                                  created_at=now).returning(categories.c.id)
    ).scalar_one()
    audit.record(session, actor, "category.create", "category", category_id,
                 details={"code": code, "attributes": [a["name"] for a in template]})
    events.emit(session, "category.created", "category", category_id,
                {"category_id": category_id, "code": code, "name": name.strip(),
                 "attribute_template": template})
    return {"id": category_id, "code": code, "name": name.strip(),
            "attributes": template, "created_at": now}


def _category_public(row: Any) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "name": row.name,
            "attributes": row.attribute_template, "created_at": row.created_at}


def get_category(session: Session, category_id: int) -> dict[str, Any]:
    """One category with its template."""
    row = session.execute(select(categories).where(categories.c.id == category_id)).first()
    if row is None:
        raise not_found("category", category_id)
    return _category_public(row)


def list_categories(session: Session, page: PageRequest) -> Page[dict[str, Any]]:
    """Every category, by code."""
    rows, total = fetch_page(session, select(categories).order_by(categories.c.code), page)
    return Page.of([_category_public(r) for r in rows], total, page)


def create_sku(
    session: Session, actor: Principal, *, code: str, category_id: int, name: str, unit: str,
    attributes: Mapping[str, Any],
) -> dict[str, Any]:
    """Create a SKU whose attributes satisfy its category's template."""
    actor.require(Role.ADMIN, Role.PROCUREMENT)
    category = session.execute(
        select(categories).where(categories.c.id == category_id)
    ).first()
    if category is None:
        raise ValidationFailedError(f"unknown category {category_id}")
    if not CODE.match(code or "") or not (name or "").strip() or not (unit or "").strip():
        raise ValidationFailedError("code: letters, digits, _ or -; name and unit: not empty")
    specs = parse_template(category.attribute_template)
    clean = validate_attributes(specs, attributes)
    if session.execute(select(skus.c.id).where(skus.c.code == code)).first():
        raise ConflictError(f"SKU {code!r} exists", code="duplicate")
    now = utcnow()
    sku_id = session.execute(
        insert(skus).values(code=code, category_id=category_id, name=name.strip(),
                            unit=unit.strip(), attributes=clean, created_at=now,
                            search_text=search_text(code, name.strip(), category.name, clean))
        .returning(skus.c.id)
    ).scalar_one()
    write_attribute_values(session, sku_id, clean)
    record = {"id": sku_id, "code": code, "category_id": category_id, "name": name.strip(),
              "unit": unit.strip(), "attributes": clean, "created_at": now}
    audit.record(session, actor, "sku.create", "sku", sku_id, details={"code": code})
    events.emit(session, "sku.created", "sku", sku_id, {**record, "sku_id": sku_id})
    return record


def write_attribute_values(session: Session, sku_id: int, values: Mapping[str, Any]) -> None:
    """Index a SKU's (validated) attributes for filtering."""
    rows = []
    for name, value in values.items():
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        rows.append({"sku_id": sku_id, "name": name,
                     "num_value": float(value) if numeric else None,
                     "text_value": None if numeric else str(value).lower()})
    if rows:
        session.execute(insert(sku_attribute_values), rows)


def _compare(column: ColumnElement[Any], op: str, values: Sequence[Any]) -> ColumnElement[bool]:
    if op == "in":
        return column.in_(values)
    return {"eq": operator.eq, "ne": operator.ne, "lt": operator.lt, "lte": operator.le,
            "gt": operator.gt, "gte": operator.ge}[op](column, values[0])


def require_known_attributes(session: Session, filters: Sequence[AttributeFilter],
                             category_id: int | None = None) -> None:
    """Refuse a filter on an attribute no template declares (the category's, or any when no
    category is given): a typo must not read as "nothing matches".

    Raises:
        ValidationFailedError: naming the unknown attributes and the known ones.
    """
    if not filters:
        return
    query = select(categories.c.attribute_template)
    if category_id is not None:
        query = query.where(categories.c.id == category_id)
    known = {spec["name"] for (template,) in session.execute(query) for spec in template or []}
    unknown = sorted({f.name for f in filters} - known)
    if unknown:
        where = f"category {category_id}" if category_id is not None else "any category"
        raise ValidationFailedError(
            f"unknown attribute(s) {', '.join(unknown)} in {where}; known: {', '.join(sorted(known)) or 'none'}",
            code="unknown_attribute", details={"unknown": unknown, "known": sorted(known)})


def attribute_conditions(
    sku_id: ColumnElement[Any], filters: Sequence[AttributeFilter]
) -> list[ColumnElement[bool]]:
    """One ``EXISTS`` per filter on ``sku_attribute_values`` for the SKU column ``sku_id``
    (check the names first with :func:`require_known_attributes`)."""
    v = sku_attribute_values.c
    conditions = []
    for f in filters:
        if f.numeric:
            column, values = v.num_value, f.numbers
        else:
            column, values = v.text_value, tuple(x.lower() for x in f.values)
        predicate = _compare(column, f.op, values)
        if f.numeric and f.op in ("eq", "ne", "in"):
            # "origin:eq:2" may be text that looks like a number: accept either form.
            text_values = tuple(x.lower() for x in f.values)
            text_predicate = {"eq": v.text_value == text_values[0],
                              "ne": v.text_value != text_values[0],
                              "in": v.text_value.in_(text_values)}[f.op]
            predicate = or_(predicate, text_predicate)
        conditions.append(exists().where(and_(v.sku_id == sku_id, v.name == f.name, predicate)))
    return conditions


def _sku_public(row: Any) -> dict[str, Any]:
    return {"id": row.id, "code": row.code, "category_id": row.category_id, "name": row.name,
            "unit": row.unit, "attributes": row.attributes, "created_at": row.created_at}


def get_sku(session: Session, sku_id: int) -> dict[str, Any]:
    """One SKU."""
    row = session.execute(select(skus).where(skus.c.id == sku_id)).first()
    if row is None:
        raise not_found("sku", sku_id)
    return _sku_public(row)


def search_skus(
    session: Session, page: PageRequest, *, category_id: int | None = None,
    q: str | None = None, filters: Sequence[AttributeFilter] = (),
) -> Page[dict[str, Any]]:
    """SKUs by category, text and attribute filters, by id. Every word of ``q`` must be found
    in the SKU's code, name, the name's pinyin (``donglimei``, ``dlm``), its category's name or
    its attribute values (:mod:`transactional.domain.search`).

    Raises:
        ValidationFailedError: a filter names an attribute no template declares.
    """
    require_known_attributes(session, filters, category_id)
    query = select(skus).order_by(skus.c.id)
    if category_id is not None:
        query = query.where(skus.c.category_id == category_id)
    for token in query_tokens(q or ""):
        pattern = f"%{token}%"
        query = query.where(or_(skus.c.search_text.like(pattern), skus.c.name.ilike(pattern),
                                skus.c.code.ilike(pattern)))
    for condition in attribute_conditions(skus.c.id, filters):
        query = query.where(condition)
    rows, total = fetch_page(session, query, page)
    return Page.of([_sku_public(r) for r in rows], total, page)
