"""Drawing up a framework contract, storing its document, and signing it on both sides.

:func:`create_contract` is the one way a contract comes to exist — from ``POST /contracts``
(procurement) and, later, from a sourcing award — and takes plain dataclasses. It writes the
contract, its units and lines (remaining = committed), stores the document (canonical JSON and
its rendered copy, ``contracts/document.py``) with both SHA-256s, and appends the
``contract.document_stored`` evidence record to the audit chain (``contracts/evidence.py``).

Two signatures make it binding, in either order, each naming the SHA-256 it signs (a stale
hash is refused): the supplier's (:func:`sign_as_supplier`, a user of that supplier) and
procurement's approval (:func:`approve`, procurement or admin of a covered unit, never the
user who drew the contract up: ``core/policy.require_checker``). Each is an evidence record;
with both, the contract is ``signed`` and call-offs may start inside its validity window.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from transactional.contracts import document as doc
from transactional.contracts import evidence
from transactional.contracts.queries import (
    PENDING,
    SIGNED,
    lines_of,
    load_contract_row,
    snapshots,
    units_of,
)
from transactional.core import events
from transactional.core.jsonable import jsonable
from transactional.core.policy import (
    Action,
    CommercePolicy,
    authorize,
    current_policy,
    require_checker,
)
from transactional.db.tables.catalogue import skus
from transactional.db.tables.contracts import (
    contract_documents,
    contract_lines,
    contract_units,
    contracts,
)
from transactional.db.tables.identity import business_units, suppliers
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ForbiddenError, ValidationFailedError
from transactional.domain.pricing import PriceTier, validate_terms
from transactional.domain.principal import Principal, Role

#: Most lines one contract may hold.
MAX_LINES = 500


@dataclass(frozen=True)
class ContractLineSpec:
    """One SKU of a contract: committed quantity and all-units price tiers."""

    sku_id: int
    committed_quantity: int
    tiers: tuple[PriceTier, ...]


@dataclass(frozen=True)
class ContractSource:
    """Where a contract comes from, e.g. ``ContractSource("sourcing_award", "17")``."""

    type: str
    ref: str


def _check(actor: Principal, supplier: Any, supplier_id: str, lines: Sequence[ContractLineSpec],
           valid_from: dt.date, valid_to: dt.date, units: Sequence[str], currency: str
           ) -> list[tuple[PriceTier, ...]]:
    if supplier is None:
        raise ValidationFailedError(f"unknown supplier {supplier_id!r}", code="unknown_supplier")
    if supplier.status != "approved":
        raise ConflictError(f"supplier {supplier_id} is {supplier.status}: contracts are made "
                            "with approved suppliers only", code="supplier_not_approved")
    if not lines or len(lines) > MAX_LINES:
        raise ValidationFailedError(f"a contract has 1 to {MAX_LINES} lines")
    if len({x.sku_id for x in lines}) != len(lines):
        raise ValidationFailedError("a SKU appears on more than one line; one line per SKU")
    if valid_to < valid_from:
        raise ValidationFailedError("valid_to is before valid_from")
    if not units:
        raise ValidationFailedError("a contract covers at least one business unit")
    hidden = sorted(u for u in set(units) if not actor.can_see_business_unit(u))
    if hidden:
        raise ForbiddenError(f"you may only contract for your own unit; not for {', '.join(hidden)}",
                             details={"business_units": hidden})
    tiers = []
    for x in lines:
        if x.committed_quantity < 1:
            raise ValidationFailedError(f"SKU {x.sku_id}: committed_quantity must be at least 1")
        first = min((t.min_quantity for t in x.tiers), default=1)
        try:
            tiers.append(validate_terms(currency, max(first, 1), 1, list(x.tiers)))
        except ValidationFailedError as exc:
            raise ValidationFailedError(f"SKU {x.sku_id}: invalid price tiers",
                                        details=exc.details) from exc
    return tiers


def create_contract(
    session: Session, *, supplier_id: str, lines: Sequence[ContractLineSpec],
    valid_from: dt.date, valid_to: dt.date, units: Sequence[str], created_by: Principal,
    source: ContractSource | None = None, currency: str | None = None, title: str | None = None,
    policy: CommercePolicy | None = None,
) -> dict[str, Any]:
    """Draw up a framework contract (pending both signatures) and store its document.

    Args:
        supplier_id: an approved supplier.
        lines: one per SKU; remaining quantity starts at the committed quantity.
        valid_from, valid_to: inclusive UTC dates of the window call-offs may be placed in.
        units: the business units whose buyers may call off against it.
        currency: of every price on it (call-off orders are placed in it); default: the
            group currency of ``policy`` (default :func:`current_policy`).
        created_by: procurement or admin whose scope holds every unit (the maker: another
            person must approve it).
        source: e.g. the sourcing award it comes from.

    Returns:
        The contract's snapshot (``contracts/queries.snapshots``).

    Raises:
        ForbiddenError: the role may not draw up contracts, or a unit outside its scope.
        ValidationFailedError: unknown supplier, SKU or unit, bad tiers, window or lines.
        ConflictError ``supplier_not_approved``.
    """
    authorize(created_by, Action.CONTRACT_CREATE)
    currency = currency or (policy or current_policy()).group_currency
    connection = session.connection()
    supplier = connection.execute(select(suppliers.c.id, suppliers.c.name, suppliers.c.status)
                                  .where(suppliers.c.id == supplier_id)).first()
    clean = _check(created_by, supplier, supplier_id, lines, valid_from, valid_to, units, currency)
    unit_list = sorted(set(units))
    known = set(connection.execute(select(business_units.c.code)
                                   .where(business_units.c.code.in_(unit_list))).scalars())
    if set(unit_list) - known:
        raise ValidationFailedError(f"unknown business unit(s): {sorted(set(unit_list) - known)}")
    sku_rows = {r.id: r for r in connection.execute(
        select(skus.c.id, skus.c.code, skus.c.name, skus.c.unit)
        .where(skus.c.id.in_([x.sku_id for x in lines])))}
    missing = sorted({x.sku_id for x in lines} - set(sku_rows))
    if missing:
        raise ValidationFailedError(f"unknown SKU(s): {missing}", details={"sku_ids": missing})
    now = utcnow()
    contract_id = connection.execute(insert(contracts).returning(contracts.c.id), {
        "supplier_id": supplier_id, "currency": currency, "valid_from": valid_from,
        "valid_to": valid_to, "status": PENDING, "title": (title or f"Framework agreement with "
                                                           f"{supplier.name}")[:300],
        "source_type": source.type if source else None, "source_ref": source.ref if source else None,
        "document_id": None, "document_sha256": "0" * 64, "created_by": created_by.user_id,
        "created_role": created_by.role.value, "created_at": now, "updated_at": now,
    }).scalar_one()
    connection.execute(insert(contract_units),
                       [{"contract_id": contract_id, "business_unit": u} for u in unit_list])
    connection.execute(insert(contract_lines), [
        {"contract_id": contract_id, "line_no": n, "sku_id": x.sku_id,
         "price_tiers": [{"min_quantity": t.min_quantity, "unit_price": str(t.unit_price)}
                         for t in tiers],
         "committed_quantity": x.committed_quantity, "remaining_quantity": x.committed_quantity,
         "updated_at": now}
        for n, (x, tiers) in enumerate(zip(lines, clean, strict=True), start=1)])
    labels = {"supplier_name": supplier.name,
              "skus": {str(i): {"code": r.code, "name": r.name, "unit": r.unit}
                       for i, r in sku_rows.items()}}
    _store_document(session, created_by, contract_id, labels, now)
    row = session.execute(select(contracts).where(contracts.c.id == contract_id)).one()
    snapshot = snapshots(session, [row], now.date())[0]
    events.emit(session, "contract.created", "contract", contract_id, snapshot,
                business_unit=_unit(unit_list), supplier_id=supplier_id, json_ready=True)
    return snapshot


def _unit(units: Sequence[str]) -> str | None:
    """The event's business unit: the one unit a contract covers, else None (see payload)."""
    return units[0] if len(units) == 1 else None


def current_terms(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The terms of each contract as its rows say now (the signed document must agree)."""
    rows = session.execute(select(contracts).where(contracts.c.id.in_(ids))).all()
    units, lines = units_of(session, ids), lines_of(session, ids)
    return {r.id: {
        "contract_id": r.id, "supplier_id": r.supplier_id, "currency": r.currency,
        "valid_from": r.valid_from.isoformat(), "valid_to": r.valid_to.isoformat(),
        "business_units": units[r.id],
        "source": {"type": r.source_type, "ref": r.source_ref} if r.source_type else None,
        "lines": doc.term_lines([x._mapping for x in lines[r.id]]),
    } for r in rows}


def _store_document(session: Session, actor: Principal, contract_id: int,
                    labels: dict[str, Any], now: dt.datetime) -> None:
    row = session.execute(select(contracts).where(contracts.c.id == contract_id)).one()
    version = 1 + (session.execute(select(func.count()).select_from(contract_documents)
                                   .where(contract_documents.c.contract_id == contract_id))
                   .scalar_one())
    document = {**current_terms(session, [contract_id])[contract_id], "version": version,
                "title": row.title, "created_by": row.created_by,
                "created_at": jsonable(row.created_at), "labels": labels}
    text = doc.canonical_bytes(document).decode()
    rendered = doc.render_html(document)
    digest, rendered_digest = doc.sha256_hex(text), doc.sha256_hex(rendered)
    document_id = session.execute(insert(contract_documents).returning(contract_documents.c.id), {
        "contract_id": contract_id, "version": version, "canonical_json": text,
        "sha256": digest, "rendered": rendered, "rendered_media_type": doc.RENDERED_MEDIA_TYPE,
        "rendered_sha256": rendered_digest, "created_at": now}).scalar_one()
    session.execute(update(contracts).where(contracts.c.id == contract_id).values(
        document_id=document_id, document_sha256=digest, updated_at=now))
    units = units_of(session, [contract_id])[contract_id]
    evidence.record(session, actor, evidence.DOCUMENT_STORED, contract_id, _unit(units), {
        "document_id": document_id, "version": version, "sha256": digest,
        "rendered_sha256": rendered_digest, "rendered_media_type": doc.RENDERED_MEDIA_TYPE})


def document_of(session: Session, actor: Principal, contract_id: int) -> dict[str, Any]:
    """The contract's current stored document: ``{id, version, sha256, canonical (dict),
    rendered, rendered_media_type, rendered_sha256}`` (visible contracts only)."""
    row = load_contract_row(session, actor, contract_id)
    d = session.execute(select(contract_documents)
                        .where(contract_documents.c.id == row.document_id)).one()
    return {"id": d.id, "version": d.version, "sha256": d.sha256,
            "canonical": json.loads(d.canonical_json), "rendered": d.rendered,
            "rendered_media_type": d.rendered_media_type, "rendered_sha256": d.rendered_sha256}


def _require_hash(row: Any, document_sha256: str) -> None:
    if document_sha256 != row.document_sha256:
        raise ConflictError(
            "the SHA-256 you sign is not the contract's current document; read it again",
            code="document_mismatch",
            details={"document_sha256": row.document_sha256, "given": document_sha256})


def _signed(session: Session, actor: Principal, row: Any, values: dict[str, Any],
            action: str, event_type: str, now: dt.datetime) -> dict[str, Any]:
    both = (values.get("supplier_signed_by", row.supplier_signed_by) is not None
            and values.get("approved_by", row.approved_by) is not None)
    if both:
        values["status"] = SIGNED
    session.execute(update(contracts).where(contracts.c.id == row.id)
                    .values(**values, updated_at=now))
    units = units_of(session, [row.id])[row.id]
    who = values.get("supplier_signed_by", values.get("approved_by"))
    evidence.record(session, actor, action, row.id, _unit(units), {
        "document_id": row.document_id, "sha256": row.document_sha256, "user_id": who,
        "role": actor.role.value, "at": jsonable(now)})
    fresh = session.execute(select(contracts).where(contracts.c.id == row.id)).one()
    snapshot = snapshots(session, [fresh], now.date())[0]
    events.emit(session, event_type, "contract", row.id, snapshot, business_unit=_unit(units),
                supplier_id=row.supplier_id, json_ready=True)
    if both:
        events.emit(session, "contract.signed", "contract", row.id, snapshot,
                    business_unit=_unit(units), supplier_id=row.supplier_id, json_ready=True)
    return snapshot


def sign_as_supplier(session: Session, actor: Principal, contract_id: int,
                     document_sha256: str) -> dict[str, Any]:
    """The supplier's signature of the current document (a user of the contract's supplier).

    Raises:
        ForbiddenError: not a supplier user. NotFoundError: another supplier's contract.
        ConflictError ``document_mismatch`` (another hash) / ``already_signed``.
    """
    actor.require(Role.SUPPLIER)
    row = load_contract_row(session, actor, contract_id, lock=True)
    _require_hash(row, document_sha256)
    if row.supplier_signed_by is not None:
        raise ConflictError(f"contract {contract_id} is already signed by the supplier",
                            code="already_signed")
    now = utcnow()
    return _signed(session, actor, row, {"supplier_signed_by": actor.user_id,
                                         "supplier_signed_at": now},
                   evidence.SUPPLIER_SIGNED, "contract.supplier_signed", now)


def approve(session: Session, actor: Principal, contract_id: int,
            document_sha256: str) -> dict[str, Any]:
    """Procurement's approval of the current document (maker ≠ checker).

    Raises:
        ForbiddenError: role (``forbidden``) or the contract's maker (``separation_of_duties``).
        NotFoundError: a contract not covering the caller's unit.
        ConflictError ``document_mismatch`` / ``already_signed``.
    """
    authorize(actor, Action.CONTRACT_APPROVE)
    row = load_contract_row(session, actor, contract_id, lock=True)
    require_checker(actor, Action.CONTRACT_APPROVE, row.created_by)
    _require_hash(row, document_sha256)
    if row.approved_by is not None:
        raise ConflictError(f"contract {contract_id} is already approved", code="already_signed")
    now = utcnow()
    return _signed(session, actor, row, {"approved_by": actor.user_id, "approved_at": now},
                   evidence.APPROVED, "contract.approved", now)
