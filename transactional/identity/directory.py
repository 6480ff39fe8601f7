"""Business units and suppliers: the parties every other record is scoped to.

Business units are created by group admins. Suppliers come in two ways: registered directly
by admins or procurement (approved on creation: bulk loads of known vendors, the CLI), or
through onboarding (``onboarding/applications.py``: application, documents, review). Either
way approval emits ``supplier.approved`` with the company data, which the lake uses to
link the platform supplier to its golden record through the dedup crosswalk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from infra.fieldcrypt import mask_account
from infra.http.pages import Page, PageRequest
from infra.uscc import ALPHABET
from transactional.core import audit, events
from transactional.core.jsonable import jsonable
from transactional.core.paging import fetch_page
from transactional.db.tables.identity import business_units, suppliers
from transactional.db.types import field_cipher, utcnow
from transactional.domain.errors import ConflictError, ForbiddenError, ValidationFailedError
from transactional.domain.principal import Principal, Role, not_found

CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: GB 32100-2015 unified social credit code alphabet (no I, O, Z, S, V).
CREDIT_CODE = re.compile(f"^[{ALPHABET}]{{18}}$")


def create_business_unit(session: Session, actor: Principal, code: str, name: str) -> dict:
    """Create a business unit (group admins only).

    Raises:
        ForbiddenError, ValidationFailedError, ConflictError (code exists).
    """
    if not actor.is_group_admin:
        raise ForbiddenError("only group admins create business units")
    if not CODE.match(code or "") or len(code) > 32 or not (name or "").strip():
        raise ValidationFailedError("code: 1-32 letters, digits, _ or -; name: not empty")
    if session.execute(select(business_units).where(business_units.c.code == code)).first():
        raise ConflictError(f"business unit {code!r} exists", code="duplicate")
    row = {"code": code, "name": name.strip(), "created_at": utcnow()}
    session.execute(insert(business_units).values(**row))
    audit.record(session, actor, "business_unit.create", "business_unit", code,
                 business_unit=code, details={"name": row["name"]})
    return row


def list_business_units(session: Session) -> list[dict[str, Any]]:
    """Every business unit (codes and names are not secret inside the group)."""
    rows = session.execute(select(business_units).order_by(business_units.c.code))
    return [dict(r._mapping) for r in rows]


PUBLIC = ("id", "name", "credit_code", "status", "created_at", "city", "settlement_currency",
          "bank_account")  # bank_account: the masked form; the clear one is encrypted
#: Roles that may look a supplier up by its bank account (the keyed search hash).
BANK_SEARCHERS = (Role.ADMIN, Role.PROCUREMENT, Role.FINANCE)


def _supplier_public_dict(m: Any) -> dict[str, Any]:
    return {k: m.get(k) for k in PUBLIC}


def _supplier_public(row: Any) -> dict[str, Any]:
    return _supplier_public_dict(dict(row._mapping))


COMPANY_FIELDS = ("city", "province", "address", "phone", "bank_name", "bank_account",
                  "settlement_currency", "business_unit")


def create_supplier(
    session: Session, actor: Principal, supplier_id: str, name: str,
    credit_code: str | None = None, **company: str | None,
) -> dict[str, Any]:
    """Register an approved supplier (admins and procurement).

    Args:
        company: optional company data (:data:`COMPANY_FIELDS`), carried by the
            ``supplier.approved`` event.

    Raises:
        ForbiddenError, ValidationFailedError, ConflictError (id exists).
    """
    actor.require(Role.ADMIN, Role.PROCUREMENT)
    problems = []
    if not CODE.match(supplier_id or ""):
        problems.append("id: 1-64 letters, digits, _ or -")
    if not (name or "").strip():
        problems.append("name: not empty")
    if credit_code is not None and not CREDIT_CODE.match(credit_code):
        problems.append("credit_code: 18 characters of the GB 32100-2015 alphabet")
    unknown = set(company) - set(COMPANY_FIELDS)
    if unknown:
        problems.append(f"unknown company fields: {', '.join(sorted(unknown))}")
    if problems:
        raise ValidationFailedError("invalid supplier", details={"problems": problems})
    if session.execute(select(suppliers.c.id).where(suppliers.c.id == supplier_id)).first():
        raise ConflictError(f"supplier {supplier_id!r} exists", code="duplicate")
    row = {"id": supplier_id, "name": name.strip(), "credit_code": credit_code,
           "status": "approved", "created_at": utcnow(),
           **{k: company.get(k) for k in COMPANY_FIELDS}}
    clear_account = row.get("bank_account")
    session.execute(insert(suppliers).values(
        **row | {"bank_account": mask_account(clear_account),
                 "bank_account_enc": clear_account}))
    audit.record(session, actor, "supplier.create", "supplier", supplier_id,
                 business_unit=actor.business_unit, details={"name": row["name"]})
    events.emit(session, "supplier.approved", "supplier", supplier_id,
                supplier_approved_payload(row, source="registration"), supplier_id=supplier_id,
                business_unit=row["business_unit"])
    return _supplier_public_dict(row | {"bank_account": mask_account(clear_account)})


def supplier_approved_payload(supplier: Mapping[str, Any], *, source: str,
                              application_id: int | None = None) -> dict[str, Any]:
    """The ``supplier.approved`` event: the company data the lake's dedup matches on.

    ``uscc`` and ``credit_code`` carry the same code (``credit_code`` for older readers).
    """
    return jsonable({
        "supplier_id": supplier["id"], "name": supplier["name"],
        "uscc": supplier["credit_code"], "credit_code": supplier["credit_code"],
        "city": supplier.get("city"), "province": supplier.get("province"),
        "address": supplier.get("address"), "phone": supplier.get("phone"),
        "bank_name": supplier.get("bank_name"),
        "bank_account": supplier.get("bank_account_enc") or supplier.get("bank_account"),
        "settlement_currency": supplier.get("settlement_currency"),
        "business_unit": supplier.get("business_unit"), "application_id": application_id,
        "source": source, "approved_at": supplier.get("approved_at") or supplier["created_at"],
    })


def get_supplier(session: Session, actor: Principal, supplier_id: str) -> dict[str, Any]:
    """One supplier; a supplier user sees only itself."""
    row = session.execute(select(suppliers).where(suppliers.c.id == supplier_id)).first()
    if row is None or not actor.can_see_supplier(row.id):
        raise not_found("supplier", supplier_id)
    return _supplier_public(row)


def list_suppliers(
    session: Session, actor: Principal, page: PageRequest, q: str | None = None,
    bank_account: str | None = None,
) -> Page[dict[str, Any]]:
    """Suppliers by id; a supplier user sees only itself; ``q`` matches the name;
    ``bank_account`` an exact account (staff only: by its keyed hash, nothing decrypted).

    Raises:
        ForbiddenError: a buyer or supplier searching by bank account.
    """
    query = select(suppliers).order_by(suppliers.c.id)
    if actor.role is Role.SUPPLIER:
        query = query.where(suppliers.c.id == actor.supplier_id)
    if q:
        query = query.where(suppliers.c.name.ilike(f"%{q}%"))
    if bank_account:
        actor.require(*BANK_SEARCHERS)
        cipher = field_cipher(session)
        if cipher is None:
            raise ValidationFailedError("bank account search needs the field encryption key")
        query = query.where(suppliers.c.bank_account_hmac
                            == cipher.search_hash(bank_account, "bank_account"))
    rows, total = fetch_page(session, query, page)
    return Page.of([_supplier_public(r) for r in rows], total, page)
