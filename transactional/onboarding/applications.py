"""Supplier onboarding: application, qualification documents, review, approval.

1. **Apply** (procurement or admins of a unit): company data — name, unified social credit
   code (GB 32100-2015, every check character validated), address, phone, city, bank
   account, settlement currency. The supplier is registered at once as ``pending`` under a
   group supplier id "group code + unit code + sequence" (``GL-COAL-000042``), so an admin
   can give the applicant a supplier login to upload its documents and follow the review.
   A pending or rejected supplier cannot publish offers (``catalogue/offers.py``).
2. **Documents** (``onboarding/documents.py``): stored files, type by content, size-checked;
   **automatic checks** (``onboarding/checks.py``) read the business licence by OCR and
   compare it with the application and the supplier master; all passed → fast track.
3. **Review** (procurement or admins of the unit; not the person who applied — four eyes):
   approve, or reject with a reason. Approval makes the supplier ``approved`` and emits
   ``supplier.approved`` carrying the company data
   (``identity/directory.supplier_approved_payload``),
   which the lake's supplier dedup uses to link the platform supplier to its golden
   supplier. Both decisions are audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from infra.fieldcrypt import mask_account
from infra.http.pages import Page, PageRequest
from infra.uscc import PROBLEMS, normalise_uscc, uscc_problem
from transactional.core import audit, events
from transactional.core.paging import fetch_page
from transactional.core.policy import Action, authorize, require_checker
from transactional.db.tables.identity import business_units, suppliers
from transactional.db.tables.onboarding import (
    supplier_application_checks,
    supplier_applications,
    supplier_documents,
)
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.money import check_currency
from transactional.domain.principal import Principal, Role, not_found
from transactional.identity.directory import supplier_approved_payload

STAFF = (Role.PROCUREMENT, Role.ADMIN)
REQUIRED = ("company_name", "uscc", "address", "phone", "city", "bank_account")
FIELDS = (*REQUIRED, "province", "bank_name", "contact_name", "settlement_currency")


def _clean(values: Mapping[str, Any], default_currency: str) -> dict[str, Any]:
    data = {k: (str(values[k]).strip() if values.get(k) is not None else None) for k in FIELDS}
    problems = [f"{k}: required" for k in REQUIRED if not data[k]]
    data["uscc"] = normalise_uscc(data["uscc"])
    problem = uscc_problem(data["uscc"]) if data["uscc"] else None
    if problem:
        problems.append(f"uscc: {PROBLEMS[problem]}")
    data["settlement_currency"] = data["settlement_currency"] or default_currency
    try:
        check_currency(data["settlement_currency"])
    except ValueError as exc:
        problems.append(f"settlement_currency: {exc}")
    if problems:
        raise ValidationFailedError("invalid supplier application",
                                    code="invalid_application", details={"problems": problems})
    return data


def submit_application(session: Session, actor: Principal, values: Mapping[str, Any], *,
                       business_unit: str | None = None, group_code: str = "GL",
                       default_currency: str = "CNY") -> dict[str, Any]:
    """Apply for a new supplier (procurement, admins); registers it as ``pending``.

    Raises:
        ForbiddenError; ValidationFailedError ``invalid_application`` (missing data, invalid
        USCC); ConflictError ``duplicate`` (a supplier or open application has this USCC).
    """
    authorize(actor, Action.APPLICATION_SUBMIT)
    unit = business_unit if actor.is_group_admin else actor.business_unit
    if not unit or session.execute(select(business_units.c.code).where(
            business_units.c.code == unit)).first() is None:
        raise ValidationFailedError("the applying business unit is unknown or missing")
    data = _clean(values, default_currency)
    taken = session.execute(select(suppliers.c.id).where(
        suppliers.c.credit_code == data["uscc"], suppliers.c.status != "rejected")).first()
    if taken is not None:
        raise ConflictError(f"supplier {taken.id} already has this credit code",
                            code="duplicate", details={"supplier_id": taken.id})
    now = utcnow()
    sequence = session.execute(select(supplier_applications.c.id)
                               .order_by(supplier_applications.c.id.desc()).limit(1)).scalar()
    supplier_id = f"{group_code}-{unit}-{(sequence or 0) + 1:06d}"
    session.execute(insert(suppliers).values(
        id=supplier_id, name=data["company_name"], credit_code=data["uscc"], status="pending",
        created_at=now, business_unit=unit, city=data["city"], province=data["province"],
        address=data["address"], phone=data["phone"], bank_name=data["bank_name"],
        bank_account=mask_account(data["bank_account"]), bank_account_enc=data["bank_account"],
        settlement_currency=data["settlement_currency"]))
    application_id = session.execute(insert(supplier_applications).values(
        business_unit=unit, supplier_id=supplier_id, status="submitted",
        **data | {"bank_account": mask_account(data["bank_account"]),
                  "bank_account_enc": data["bank_account"]},
        submitted_by=actor.user_id, submitted_at=now,
    ).returning(supplier_applications.c.id)).scalar_one()
    audit.record(session, actor, "supplier_application.submit", "supplier_application",
                 application_id, business_unit=unit,
                 details={"supplier_id": supplier_id, "uscc": data["uscc"]})
    events.emit(session, "supplier.applied", "supplier", supplier_id,
                {"application_id": application_id, "supplier_id": supplier_id,
                 "name": data["company_name"], "uscc": data["uscc"], "business_unit": unit},
                business_unit=unit, supplier_id=supplier_id)
    return get_application(session, actor, application_id)


def load_application(session: Session, actor: Principal, application_id: int, *,
                     lock: bool = False) -> Any:
    """An application row visible to ``actor`` (403 for other roles, 404 out of scope)."""
    query = select(supplier_applications).where(supplier_applications.c.id == application_id)
    row = session.execute(query.with_for_update() if lock else query).first()
    visible = row is not None and (
        (actor.role in STAFF and actor.can_see_business_unit(row.business_unit))
        or (actor.role is Role.SUPPLIER and row.supplier_id == actor.supplier_id))
    if not visible:
        if actor.role not in (*STAFF, Role.SUPPLIER):
            actor.require(*STAFF, Role.SUPPLIER)
        raise not_found("supplier application", application_id)
    return row


def _public(session: Session, row: Any) -> dict[str, Any]:
    docs = session.execute(select(supplier_documents).where(
        supplier_documents.c.application_id == row.id).order_by(supplier_documents.c.id))
    body = {k: v for k, v in row._mapping.items()
            if k not in ("bank_account_enc", "bank_account_hmac")}  # masked bank_account only
    body["documents"] = [{k: d._mapping[k] for k in (
        "id", "doc_type", "filename", "content_type", "size_bytes", "sha256", "uploaded_at",
        "replaces_document_id")} for d in docs]
    body["checks"] = latest_checks(session, row.id)
    return body


def latest_checks(session: Session, application_id: int) -> dict[str, Any] | None:
    """The automatic checks in force for an application (its latest run,
    ``onboarding/checks.py``), or None when they never ran. Callers checked visibility."""
    row = session.execute(select(supplier_application_checks).where(
        supplier_application_checks.c.application_id == application_id).order_by(
        supplier_application_checks.c.id.desc()).limit(1)).first()
    if row is None:
        return None
    return {"document_id": row.document_id, "fast_track": row.fast_track,
            "checks": row.checks, "fields": row.fields,
            "certificates": row.certificates or [], "checked_at": row.checked_at}


def get_application(session: Session, actor: Principal, application_id: int) -> dict[str, Any]:
    """An application with its documents (staff of its unit; the applicant supplier)."""
    return _public(session, load_application(session, actor, application_id))


def list_applications(session: Session, actor: Principal, page: PageRequest, *,
                      status: str | None = None,
                      fast_track: bool | None = None) -> Page[dict[str, Any]]:
    """Applications visible to ``actor``, newest first; ``fast_track=True`` is the fast-track
    queue (the latest automatic checks all passed), ``False`` the others."""
    actor.require(*STAFF, Role.SUPPLIER)
    query = select(supplier_applications).order_by(supplier_applications.c.id.desc())
    if actor.role is Role.SUPPLIER:
        query = query.where(supplier_applications.c.supplier_id == actor.supplier_id)
    elif not actor.is_group_admin:
        query = query.where(supplier_applications.c.business_unit == actor.business_unit)
    if status:
        query = query.where(supplier_applications.c.status == status)
    if fast_track is not None:
        latest = select(func.max(supplier_application_checks.c.id)).group_by(
            supplier_application_checks.c.application_id)
        passed = select(supplier_application_checks.c.application_id).where(
            supplier_application_checks.c.id.in_(latest),
            supplier_application_checks.c.fast_track.is_(True))
        query = query.where(supplier_applications.c.id.in_(passed) if fast_track
                            else supplier_applications.c.id.not_in(passed))
    rows, total = fetch_page(session, query, page)
    return Page.of([_public(session, r) for r in rows], total, page)


def review(session: Session, actor: Principal, application_id: int, decision: str,
           reason: str | None = None) -> dict[str, Any]:
    """Approve or reject a submitted application.

    Raises:
        ForbiddenError (role; reviewing your own application), NotFoundError,
        ValidationFailedError (rejection without reason), ConflictError (already decided).
    """
    authorize(actor, Action.APPLICATION_REVIEW)
    row = load_application(session, actor, application_id, lock=True)
    if decision not in ("approve", "reject"):
        raise ValidationFailedError("decision: approve or reject")
    if decision == "reject" and not (reason or "").strip():
        raise ValidationFailedError("a rejection needs a reason", code="reason_required")
    require_checker(actor, Action.APPLICATION_REVIEW, row.submitted_by)
    if row.status != "submitted":
        raise ConflictError(f"application {application_id} is already {row.status}",
                            code="already_decided")
    now = utcnow()
    status = "approved" if decision == "approve" else "rejected"
    session.execute(update(supplier_applications).where(
        supplier_applications.c.id == application_id).values(
        status=status, reviewed_by=actor.user_id, reviewed_at=now, review_reason=reason))
    session.execute(update(suppliers).where(suppliers.c.id == row.supplier_id)
                    .values(status=status))
    audit.record(session, actor, f"supplier_application.{decision}", "supplier_application",
                 application_id, business_unit=row.business_unit,
                 details={"supplier_id": row.supplier_id, "reason": reason})
    supplier = dict(session.execute(select(suppliers).where(
        suppliers.c.id == row.supplier_id)).one()._mapping)
    if status == "approved":
        events.emit(session, "supplier.approved", "supplier", row.supplier_id,
                    supplier_approved_payload({**supplier, "approved_at": now},
                                              source="onboarding", application_id=row.id),
                    business_unit=row.business_unit, supplier_id=row.supplier_id)
    else:
        events.emit(session, "supplier.rejected", "supplier", row.supplier_id,
                    {"application_id": row.id, "supplier_id": row.supplier_id,
                     "reason": reason, "rejected_at": now},
                    business_unit=row.business_unit, supplier_id=row.supplier_id)
    return get_application(session, actor, application_id)
