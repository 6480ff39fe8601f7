"""Automatic checks of a supplier application, from the OCR of its business licence.

Each check is a named result the reviewer sees (``{"name", "passed", "detail"}`` plus
evidence); an application whose checks all pass is **fast-tracked** (``fast_track``), the
others say exactly what is wrong and the applicant can upload a better licence or the staff
correct the application, then the checks run again (one row per run, the latest in force).

| check | passes when |
|---|---|
| ``licence_read`` | a business licence is attached and its code and name were read |
| ``credit_code_valid`` | the OCR'd code passes GB 32100-2015 (both check characters) |
| ``credit_code_matches`` | the OCR'd code equals the code typed in the application |
| ``name_matches`` | the OCR'd name equals the applied name, both normalised as the supplier master does (region, brand, industry, legal form: ``models.entity_resolution.normalise``) |
| ``not_existing_supplier`` | no other supplier has the OCR'd or typed code or the same normalised name; otherwise the application is **linked** to them (``linked_supplier_ids``) |
| ``not_suspended`` | none of the linked suppliers is on the elimination list in force |
| ``bank_account_unique`` | no other supplier is paid into the same bank account (keyed hash) |

Running them takes three steps so that the OCR (seconds) holds no database transaction:
:func:`licence_to_read` (a read), the OCR (``models.documents.reader.read_fields``, bounded:
one page, the upload size limit, 40 Mpx), then :func:`record_checks` (a write). The
request waits for it (a clear bound of a few seconds; see the README).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from infra.uscc import PROBLEMS, normalise_uscc, uscc_problem
from models.entity_resolution.normalise import parse_name
from transactional.core import audit, events
from transactional.core.policy import CommercePolicy
from transactional.db.database import Database
from transactional.db.tables.identity import suppliers
from transactional.db.tables.onboarding import (
    supplier_application_checks,
    supplier_documents,
)
from transactional.db.tables.supply import supplier_suspensions
from transactional.db.types import utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.principal import Principal
from transactional.onboarding.applications import STAFF, latest_checks, load_application

CHECKS = ("licence_read", "credit_code_valid", "credit_code_matches", "name_matches",
          "not_existing_supplier", "not_suspended", "bank_account_unique")
LICENCE = "business_license"


def name_key(name: str | None) -> tuple[Any, ...] | None:
    """What two company names must share to be the same name: brand characters, industry,
    regions, legal form, branch, group (homophone brands differ; 有限公司 = 有限责任公司)."""
    if not name or not name.strip():
        return None
    p = parse_name(name)
    return (p.brand, tuple(sorted(p.industry)), tuple(sorted(p.regions)), p.legal, p.branch,
            p.group)


def mask_person(name: str | None) -> str | None:
    """A person's name masked for display: first character kept (``张**``)."""
    if not name:
        return name
    return name[0] + "*" * max(len(name) - 1, 1)


def _check(name: str, passed: bool, detail: str, **evidence: Any) -> dict[str, Any]:
    return {"name": name, "passed": bool(passed), "detail": detail, **evidence}


def evaluate(fields: Mapping[str, Mapping[str, Any]] | None, application: Mapping[str, Any],
             linked: list[dict[str, Any]], shared_account: list[str], *,
             unread: str = "no business licence attached") -> list[dict[str, Any]]:
    """The named check results (pure): ``fields`` is the reader's ``fields`` object (None
    when no licence is attached), ``linked`` the other suppliers matching the applicant
    (``id``, ``suspended``, ``matched_on``), ``shared_account`` the ids of other suppliers
    paid into the applicant's bank account; ``unread`` says why ``fields`` is None."""
    value = (lambda k: (fields or {}).get(k, {}).get("value"))
    code, name = normalise_uscc(value("credit_code")), value("name")
    typed = normalise_uscc(application["uscc"])
    results = []
    if fields is None:
        results.append(_check("licence_read", False, unread))
    else:
        missing = [k for k, v in (("credit_code", code), ("name", name)) if not v]
        results.append(_check("licence_read", not missing, "credit code and name read"
                              if not missing else f"not read: {', '.join(missing)}"))
    problem = uscc_problem(code) if code else "empty"
    results.append(_check("credit_code_valid", problem is None,
                          "passes GB 32100-2015" if problem is None
                          else f"licence code {code or '(none)'}: {PROBLEMS[problem]}",
                          ocr_value=code or None))
    results.append(_check("credit_code_matches", bool(code) and code == typed,
                          "the licence code equals the applied code" if code == typed
                          else f"licence shows {code or '(none)'}, application says {typed}",
                          ocr_value=code or None, applied_value=typed))
    same = name_key(name) is not None and name_key(name) == name_key(application["company_name"])
    results.append(_check("name_matches", same,
                          "the licence name matches the applied name" if same
                          else f"licence shows {name or '(none)'}, application says "
                               f"{application['company_name']}",
                          ocr_value=name, applied_value=application["company_name"]))
    ids = [s["id"] for s in linked]
    results.append(_check("not_existing_supplier", not linked,
                          "not in the supplier master" if not linked else
                          "already a supplier: " + ", ".join(
                              f"{s['id']} ({s['business_unit'] or 'group'}, by {s['matched_on']})"
                              for s in linked),
                          linked_supplier_ids=ids))
    suspended = [s["id"] for s in linked if s["suspended"]]
    results.append(_check("not_suspended", not suspended,
                          "not on the elimination list" if not suspended else
                          f"on the elimination list: {', '.join(suspended)}",
                          suspended_supplier_ids=suspended))
    results.append(_check("bank_account_unique", not shared_account,
                          "no other supplier uses this bank account" if not shared_account
                          else f"same bank account as {', '.join(shared_account)}",
                          supplier_ids=shared_account))
    return results


def licence_to_read(session: Session, actor: Principal, application_id: int,
                    policy: CommercePolicy) -> tuple[int | None, Path | None]:
    """The newest business licence of an application the caller may check (staff of its
    unit): ``(document_id, path)``, ``(None, None)`` when none is attached.

    Raises:
        ForbiddenError, NotFoundError, ConflictError (already decided).
    """
    actor.require(*STAFF)
    application = load_application(session, actor, application_id)
    if application.status != "submitted":
        raise ConflictError(f"application {application_id} is {application.status}",
                            code="already_decided")
    row = session.execute(select(supplier_documents).where(
        supplier_documents.c.application_id == application_id,
        supplier_documents.c.doc_type == LICENCE).order_by(
        supplier_documents.c.id.desc()).limit(1)).first()
    if row is None:
        return None, None
    return row.id, Path(policy.document_dir) / row.storage_key


def _master(session: Session, application: Any, code: str | None,
            name: str | None) -> tuple[list[dict[str, Any]], list[str]]:
    """Other suppliers matching the applicant (by code or normalised name), and those
    sharing its bank account."""
    own = application.supplier_id
    codes = {c for c in (code, application.uscc) if c}
    keys = {k for k in (name_key(name), name_key(application.company_name)) if k}
    brands = {parse_name(n).brand for n in (name, application.company_name) if n}
    wanted = [suppliers.c.credit_code.in_(codes)] + [
        suppliers.c.name.contains(b, autoescape=True) for b in brands if b]
    candidates = session.execute(select(suppliers.c.id, suppliers.c.name, suppliers.c.credit_code,
                                        suppliers.c.business_unit).where(
        suppliers.c.id != own, suppliers.c.status != "rejected", or_(*wanted))).all()
    linked = []
    for s in candidates:
        on = "credit_code" if s.credit_code in codes else (
            "name" if name_key(s.name) in keys else None)
        if on:
            linked.append({"id": s.id, "business_unit": s.business_unit, "matched_on": on})
    suspended = set(session.execute(select(supplier_suspensions.c.supplier_id).where(
        supplier_suspensions.c.supplier_id.in_([s["id"] for s in linked]))).scalars())
    for s in linked:
        s["suspended"] = s["id"] in suspended
    shared = []
    if application.bank_account_hmac:
        shared = list(session.execute(select(suppliers.c.id).where(
            suppliers.c.id != own,
            suppliers.c.bank_account_hmac == application.bank_account_hmac)
            .order_by(suppliers.c.id)).scalars())
    return sorted(linked, key=lambda s: s["id"]), shared


def record_checks(session: Session, actor: Principal, application_id: int,
                  document_id: int | None, fields: Mapping[str, Mapping[str, Any]] | None,
                  unread: str = "no business licence attached") -> dict[str, Any]:
    """Evaluate and store the checks of an application given its licence's OCR ``fields``
    (the reader's ``fields`` object, or None without a licence); audited, and announced as
    ``supplier_application.checked`` (with ``fast_track``) on the outbox.

    Raises:
        ForbiddenError, NotFoundError, ConflictError (decided meanwhile).
    """
    actor.require(*STAFF)
    application = load_application(session, actor, application_id, lock=True)
    if application.status != "submitted":
        raise ConflictError(f"application {application_id} is {application.status}",
                            code="already_decided")
    if fields is not None and not isinstance(fields, Mapping):
        raise ValidationFailedError("fields: an object of {value, confidence}")
    code = normalise_uscc((fields or {}).get("credit_code", {}).get("value")) or None
    name = (fields or {}).get("name", {}).get("value")
    linked, shared = _master(session, application, code, name)
    results = evaluate(fields, application._mapping, linked, shared, unread=unread)
    fast_track = all(r["passed"] for r in results)
    person = (fields or {}).get("legal_representative", {}).get("value")
    shown = {k: dict(v) for k, v in (fields or {}).items()}
    if "legal_representative" in shown:
        shown["legal_representative"]["value"] = mask_person(person)
    now = utcnow()
    session.execute(insert(supplier_application_checks).values(
        application_id=application_id, document_id=document_id, fields=shown,
        legal_representative_enc=person, checks=results, fast_track=fast_track,
        checked_by=actor.user_id, checked_at=now))
    failed = [r["name"] for r in results if not r["passed"]]
    audit.record(session, actor, "supplier_application.check", "supplier_application",
                 application_id, business_unit=application.business_unit,
                 details={"fast_track": fast_track, "failed": failed,
                          "document_id": document_id})
    events.emit(session, "supplier_application.checked", "supplier_application",
                application_id, {"application_id": application_id,
                                 "supplier_id": application.supplier_id,
                                 "fast_track": fast_track, "failed_checks": failed,
                                 "checked_at": now},
                business_unit=application.business_unit, supplier_id=application.supplier_id)
    return latest_checks(session, application_id)


def run_checks(db: Database, actor: Principal, application_id: int, policy: CommercePolicy,
               read: Callable[[Path], Mapping[str, Any]] | None = None) -> dict[str, Any]:
    """Read the application's newest business licence and record its checks: a read
    transaction, the OCR outside any transaction, a write transaction. ``read`` (path →
    the reader's ``fields`` object) defaults to :func:`models.documents.reader.read_fields`.

    Raises:
        ForbiddenError, NotFoundError, ConflictError (decided).
    """
    with db.read() as session:
        document_id, path = licence_to_read(session, actor, application_id, policy)
    fields, unread = None, "no business licence attached"
    if path is not None:
        try:
            fields = (read or _ocr)(path)
        except (OSError, ValueError) as exc:  # DocumentError is a ValueError
            fields, unread = None, f"the business licence could not be read: {exc}"
    return db.run_write(lambda s: record_checks(s, actor, application_id, document_id, fields,
                                                unread))


def _ocr(path: Path) -> dict[str, Any]:
    from models.documents.reader import read_fields

    return {k: f.as_json() for k, f in read_fields(path).items()}


def fast_track_ids(session: Session, application_ids: list[int]) -> set[int]:
    """Which of ``application_ids`` are in the fast-track queue (latest checks all passed)."""
    if not application_ids:
        return set()
    rows = session.execute(select(supplier_application_checks.c.application_id,
                                  supplier_application_checks.c.fast_track)
                           .where(supplier_application_checks.c.application_id.in_(
                               application_ids))
                           .order_by(supplier_application_checks.c.id)).all()
    latest = {r.application_id: r.fast_track for r in rows}
    return {a for a, ok in latest.items() if ok}

