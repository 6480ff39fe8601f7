"""Reading contracts: who may see which, and their public snapshot.

Visibility: a supplier sees its own contracts; every other user the contracts covering its
business unit; a group admin all of them. Anything else is "not found" (404), exactly like
an id that does not exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, exists, false, select, true
from sqlalchemy.orm import Session

from infra.http.pages import Page, PageRequest
from transactional.core.jsonable import jsonable
from transactional.core.paging import fetch_page
from transactional.db.tables.contracts import contract_lines, contract_units, contracts
from transactional.domain.principal import Principal, Role, not_found

PENDING = "pending_signatures"
SIGNED = "signed"


def scope_condition(actor: Principal) -> ColumnElement[bool]:
    """SQL condition selecting the contracts ``actor`` may see."""
    if actor.role is Role.SUPPLIER:
        return contracts.c.supplier_id == actor.supplier_id if actor.supplier_id else false()
    if actor.is_group_admin:
        return true()
    if not actor.business_unit:
        return false()
    return exists().where(contract_units.c.contract_id == contracts.c.id,
                          contract_units.c.business_unit == actor.business_unit)


def load_contract_row(session: Session, actor: Principal, contract_id: int, *,
                      lock: bool = False) -> Any:
    """The ``contracts`` row if visible to ``actor`` (``FOR UPDATE`` when ``lock``)."""
    query = select(contracts).where(contracts.c.id == contract_id, scope_condition(actor))
    if lock:
        query = query.with_for_update()
    row = session.execute(query).first()
    if row is None:
        raise not_found("contract", contract_id)
    return row


def state_of(row: Any, today: dt.date) -> str:
    """``pending_signatures`` until both sides signed; then ``not_yet_valid``, ``active``
    or ``expired`` by the validity window (inclusive dates, UTC)."""
    if row.status != SIGNED:
        return PENDING
    if today < row.valid_from:
        return "not_yet_valid"
    return "expired" if today > row.valid_to else "active"


def units_of(session: Session, ids: Sequence[int]) -> dict[int, list[str]]:
    """Business units covered, per contract id (sorted)."""
    found: dict[int, list[str]] = {i: [] for i in ids}
    for r in session.execute(select(contract_units).where(contract_units.c.contract_id.in_(ids))
                             .order_by(contract_units.c.contract_id,
                                       contract_units.c.business_unit)):
        found[r.contract_id].append(r.business_unit)
    return found


def lines_of(session: Session, ids: Sequence[int]) -> dict[int, list[Any]]:
    """``contract_lines`` rows per contract id, by line number."""
    found: dict[int, list[Any]] = {i: [] for i in ids}
    for r in session.execute(select(contract_lines).where(contract_lines.c.contract_id.in_(ids))
                             .order_by(contract_lines.c.contract_id, contract_lines.c.line_no)):
        found[r.contract_id].append(r)
    return found


def snapshots(session: Session, rows: Sequence[Any], today: dt.date | None = None
              ) -> list[dict[str, Any]]:
    """JSON-ready snapshots of ``contracts`` rows with units, lines and signatures."""
    ids = [r.id for r in rows]
    units, lines = units_of(session, ids), lines_of(session, ids)
    day = today or dt.datetime.now(dt.UTC).date()
    return [jsonable({
        "id": r.id, "title": r.title, "supplier_id": r.supplier_id, "currency": r.currency,
        "valid_from": r.valid_from, "valid_to": r.valid_to, "status": r.status,
        "state": state_of(r, day), "business_units": units[r.id],
        "source": ({"type": r.source_type, "ref": r.source_ref} if r.source_type else None),
        "document": {"id": r.document_id, "sha256": r.document_sha256},
        "created_by": r.created_by, "created_at": r.created_at,
        "supplier_signature": ({"user_id": r.supplier_signed_by, "signed_at": r.supplier_signed_at}
                               if r.supplier_signed_by is not None else None),
        "procurement_approval": ({"user_id": r.approved_by, "approved_at": r.approved_at}
                                 if r.approved_by is not None else None),
        "lines": [{"id": x.id, "line_no": x.line_no, "sku_id": x.sku_id,
                   "price_tiers": x.price_tiers, "committed_quantity": x.committed_quantity,
                   "remaining_quantity": x.remaining_quantity} for x in lines[r.id]],
        "updated_at": r.updated_at,
    }) for r in rows]


def get_contract(session: Session, actor: Principal, contract_id: int) -> dict[str, Any]:
    """One contract visible to ``actor``."""
    return snapshots(session, [load_contract_row(session, actor, contract_id)])[0]


def list_contracts(session: Session, actor: Principal, page: PageRequest, *,
                   supplier_id: str | None = None, status: str | None = None,
                   sku_id: int | None = None) -> Page[dict[str, Any]]:
    """Contracts visible to ``actor``, newest first, filtered."""
    query = select(contracts).where(scope_condition(actor)).order_by(contracts.c.id.desc())
    if supplier_id:
        query = query.where(contracts.c.supplier_id == supplier_id)
    if status:
        query = query.where(contracts.c.status == status)
    if sku_id is not None:
        query = query.where(exists().where(contract_lines.c.contract_id == contracts.c.id,
                                           contract_lines.c.sku_id == sku_id))
    rows, total = fetch_page(session, query, page)
    return Page.of(snapshots(session, rows), total, page)
