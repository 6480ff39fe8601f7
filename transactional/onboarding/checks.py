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
| ``bank_account_matches`` | a bank account certificate (开户许可证 / 开户证明, doc type ``bank_account_letter``) is attached and the account read on it has the keyed hash of the account typed in the application (both shown masked) |
| ``certificate_holder_matches:<document id>`` | per certificate (bank account, ISO / industry): the holder read equals the applied name (normalised) |
| ``certificate_not_expired:<document id>`` | per ISO / industry certificate (doc type ``qualification_certificate``): its validity (有效期至) is today or later |
| ``not_sanctioned`` | neither the typed or read credit code nor the applied, licence or certificate holder name (normalised) is on the sanctions / blacklist file of ``oltp.sanctions_list`` (CSV or JSON of names and credit codes); a hit names the entry |

Documents in force: the newest business licence, the newest bank account certificate and
every qualification certificate not replaced by a newer upload (``replaces_document_id``).
**Resubmission**: after failed checks the applicant (the supplier's login) or the staff
upload a corrected document and call :func:`run_checks` with ``resubmission=True``
(``POST …/resubmit``): ``supplier_application.resubmitted`` then a new
``supplier_application.checked`` run, the latest in force.

Running them takes three steps so that the OCR (seconds) holds no database transaction:
:func:`documents_to_read` (a read), the OCR (``models.documents.reader.read_fields``, bounded:
one page, the upload size limit, 40 Mpx), then :func:`record_checks` (a write). The
request waits for it (a clear bound of a few seconds; see the README).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from infra.fieldcrypt import mask_account
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
from transactional.db.types import field_cipher, utcnow
from transactional.domain.errors import ConflictError, ValidationFailedError
from transactional.domain.principal import Principal, Role
from transactional.onboarding.applications import STAFF, latest_checks, load_application

CHECKS = ("licence_read", "credit_code_valid", "credit_code_matches", "name_matches",
          "not_existing_supplier", "not_suspended", "bank_account_unique",
          "bank_account_matches", "certificate_holder_matches:<id>",
          "certificate_not_expired:<id>", "not_sanctioned")
LICENCE = "business_license"
BANK_LETTER = "bank_account_letter"
CERTIFICATE = "qualification_certificate"
#: doc type of an upload -> the document type its OCR must show
EXPECTED_TYPE = {BANK_LETTER: "bank_account_certificate",
                 CERTIFICATE: "iso_certificate"}


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
             unread: str = "no business licence attached",
             certificates: list[Mapping[str, Any]] | None = None,
             account_matches: bool | None = None,
             sanctions: list[dict[str, Any]] | str | None = None,
             today: dt.date | None = None) -> list[dict[str, Any]]:
    """The named check results (pure): ``fields`` is the reader's ``fields`` object (None
    when no licence is attached), ``linked`` the other suppliers matching the applicant
    (``id``, ``suspended``, ``matched_on``), ``shared_account`` the ids of other suppliers
    paid into the applicant's bank account; ``unread`` says why ``fields`` is None.

    ``certificates``: the certificates in force, each ``{document_id, doc_type,
    document_type, fields}`` (``fields`` None and ``unread`` saying why when not read; the
    account already masked); ``account_matches``: whether the account read on the newest
    bank account certificate has the application's keyed hash (None: no account read);
    ``sanctions``: the sanctions entries (:func:`load_sanctions`), None when no list is
    configured, or the reason the configured list could not be read (the check fails)."""
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
    certificates = list(certificates or [])
    results.append(_bank_check(certificates, application, account_matches))
    for cert in certificates:
        results.extend(_certificate_checks(cert, application, today))
    names = [name, application["company_name"]] + [
        (c.get("fields") or {}).get("holder", {}).get("value") for c in certificates]
    results.append(_sanctions_check(sanctions, {code, typed}, names))
    return results


def _bank_check(certificates: list[Mapping[str, Any]], application: Mapping[str, Any],
                account_matches: bool | None) -> dict[str, Any]:
    banks = [c for c in certificates if c["doc_type"] == BANK_LETTER]
    typed = application["bank_account"]  # masked
    if not banks:
        return _check("bank_account_matches", False, "no bank account certificate attached",
                      applied_value=typed)
    bank = banks[-1]
    if bank.get("fields") is None:
        return _check("bank_account_matches", False, bank.get("unread") or "not read",
                      document_id=bank["document_id"], applied_value=typed)
    shown = bank["fields"].get("account_number", {}).get("value")
    if not shown or account_matches is None:
        return _check("bank_account_matches", False,
                      "the account number was not read on the bank account certificate",
                      document_id=bank["document_id"], applied_value=typed)
    return _check("bank_account_matches", account_matches,
                  "the certificate's account equals the applied account" if account_matches
                  else f"the certificate shows account {shown}, the application says {typed}",
                  document_id=bank["document_id"], ocr_value=shown, applied_value=typed)


def _certificate_checks(cert: Mapping[str, Any], application: Mapping[str, Any],
                        today: dt.date | None) -> list[dict[str, Any]]:
    from models.documents.reader import expiry_check

    doc = cert["document_id"]
    what = "bank account certificate" if cert["doc_type"] == BANK_LETTER else "certificate"
    fields = cert.get("fields")
    if fields is None:
        out = [_check(f"certificate_holder_matches:{doc}", False,
                      f"{what} {doc}: {cert.get('unread') or 'not read'}", document_id=doc)]
        if cert["doc_type"] == CERTIFICATE:
            out.append(_check(f"certificate_not_expired:{doc}", False,
                              f"{what} {doc}: {cert.get('unread') or 'not read'}",
                              document_id=doc))
        return out
    holder = fields.get("holder", {}).get("value")
    same = name_key(holder) is not None and name_key(holder) == name_key(
        application["company_name"])
    number = fields.get("certificate_number", {}).get("value")
    out = [_check(f"certificate_holder_matches:{doc}", same,
                  f"{what} {number or doc} is held by the applicant" if same
                  else f"{what} {number or doc} shows holder {holder or '(none)'}, "
                       f"application says {application['company_name']}",
                  document_id=doc, ocr_value=holder, applied_value=application["company_name"])]
    if cert["doc_type"] == CERTIFICATE:
        expiry = expiry_check(f"certificate_not_expired:{doc}",
                              fields.get("valid_until", {}).get("value"), today)
        expiry["detail"] = f"{what} {number or doc}: {expiry['detail']}"
        out.append({**expiry, "document_id": doc})
    return out


def _sanctions_check(sanctions: list[dict[str, Any]] | str | None, codes: set[str | None],
                     names: list[str | None]) -> dict[str, Any]:
    if sanctions is None:
        return _check("not_sanctioned", True, "no sanctions list configured")
    if isinstance(sanctions, str):
        return _check("not_sanctioned", False, f"the sanctions list cannot be read: {sanctions}")
    codes = {c for c in codes if c}
    keys = {name_key(n) for n in names if n} - {None}
    for entry in sanctions:
        by = ("credit code" if entry["credit_code"] and entry["credit_code"] in codes else
              "name" if entry["name"] and name_key(entry["name"]) in keys else None)
        if by:
            listed = " ".join(v for v in (entry["name"], entry["credit_code"]) if v)
            reason = f" ({entry['reason']})" if entry.get("reason") else ""
            return _check("not_sanctioned", False,
                          f"on the sanctions list, entry {entry['entry']}: {listed}{reason}, "
                          f"matched by {by}", entry=entry, matched_on=by.replace(" ", "_"))
    return _check("not_sanctioned", True,
                  f"not on the sanctions list ({len(sanctions)} entries)")


def load_sanctions(path: str) -> list[dict[str, Any]] | str | None:
    """The sanctions / blacklist entries of ``path`` (``oltp.sanctions_list``): None when no
    list is configured; the reason as a string when the file cannot be read (the check then
    fails closed). CSV with a header (``name``, ``credit_code``, optional ``reason``) or
    JSON (a list of such objects); ``entry`` is the 1-based row number, codes normalised."""
    if not path:
        return None
    import csv
    import json

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
        rows = json.loads(text) if path.lower().endswith(".json") else list(
            csv.DictReader(text.splitlines()))
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            return f"{path}: expected a list of {{name, credit_code}} objects"
    except (OSError, ValueError) as exc:
        return f"{path}: {exc}"
    entries = []
    for i, row in enumerate(rows, start=1):
        name = str(row.get("name") or "").strip() or None
        code = normalise_uscc(str(row.get("credit_code") or "")) or None
        if name or code:
            entries.append({"entry": i, "name": name, "credit_code": code,
                            "reason": str(row.get("reason") or "").strip() or None})
    return entries


def documents_to_read(session: Session, actor: Principal, application_id: int,
                      policy: CommercePolicy, *, resubmission: bool = False
                      ) -> list[dict[str, Any]]:
    """The documents in force of an application the caller may check: the newest business
    licence, the newest bank account certificate, every qualification certificate not
    replaced; each ``{document_id, doc_type, path}``, by id. Staff of its unit; with
    ``resubmission`` also the applicant supplier, and only after failed checks.

    Raises:
        ForbiddenError, NotFoundError, ConflictError (already decided; nothing to resubmit).
    """
    actor.require(*STAFF, *((Role.SUPPLIER,) if resubmission else ()))
    application = load_application(session, actor, application_id)
    if application.status != "submitted":
        raise ConflictError(f"application {application_id} is {application.status}",
                            code="already_decided")
    if resubmission:
        _require_failed(session, application_id)
    rows = session.execute(select(supplier_documents).where(
        supplier_documents.c.application_id == application_id).order_by(
        supplier_documents.c.id)).all()
    replaced = {r.replaces_document_id for r in rows if r.replaces_document_id}
    newest = {r.doc_type: r for r in rows if r.doc_type in (LICENCE, BANK_LETTER)}
    chosen = [r for r in rows if r.id not in replaced and (
        r.doc_type == CERTIFICATE or newest.get(r.doc_type) is r)]
    return [{"document_id": r.id, "doc_type": r.doc_type,
             "path": Path(policy.document_dir) / r.storage_key} for r in chosen]


def _require_failed(session: Session, application_id: int) -> dict[str, Any]:
    latest = latest_checks(session, application_id)
    if latest is None or latest["fast_track"]:
        raise ConflictError("nothing to resubmit: " + (
            "the checks have not run yet" if latest is None else "the checks passed"),
            code="nothing_to_resubmit")
    return latest


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
                  unread: str = "no business licence attached", *,
                  certificates: list[Mapping[str, Any]] | None = None,
                  sanctions: list[dict[str, Any]] | str | None = None,
                  resubmission: bool = False) -> dict[str, Any]:
    """Evaluate and store the checks of an application given its licence's OCR ``fields``
    (the reader's ``fields`` object, or None without a licence) and its ``certificates``
    (``{document_id, doc_type, document_type, fields | None, unread}``, account numbers in
    clear: stored encrypted, shown masked); audited, and announced as
    ``supplier_application.checked`` (with ``fast_track``) on the outbox, after
    ``supplier_application.resubmitted`` for a ``resubmission`` (the applicant's, after
    failed checks).

    Raises:
        ForbiddenError, NotFoundError, ConflictError (decided meanwhile; nothing to
        resubmit).
    """
    actor.require(*STAFF, *((Role.SUPPLIER,) if resubmission else ()))
    application = load_application(session, actor, application_id, lock=True)
    if application.status != "submitted":
        raise ConflictError(f"application {application_id} is {application.status}",
                            code="already_decided")
    if fields is not None and not isinstance(fields, Mapping):
        raise ValidationFailedError("fields: an object of {value, confidence}")
    previous = _require_failed(session, application_id) if resubmission else None
    code = normalise_uscc((fields or {}).get("credit_code", {}).get("value")) or None
    name = (fields or {}).get("name", {}).get("value")
    linked, shared = _master(session, application, code, name)
    shown_certs, account, matches = _certificates_shown(session, application, certificates)
    results = evaluate(fields, application._mapping, linked, shared, unread=unread,
                       certificates=shown_certs, account_matches=matches, sanctions=sanctions)
    fast_track = all(r["passed"] for r in results)
    person = (fields or {}).get("legal_representative", {}).get("value")
    shown = {k: dict(v) for k, v in (fields or {}).items()}
    if "legal_representative" in shown:
        shown["legal_representative"]["value"] = mask_person(person)
    now = utcnow()
    session.execute(insert(supplier_application_checks).values(
        application_id=application_id, document_id=document_id, fields=shown,
        legal_representative_enc=person, checks=results, fast_track=fast_track,
        certificates=shown_certs, bank_account_enc=account,
        checked_by=actor.user_id, checked_at=now))
    failed = [r["name"] for r in results if not r["passed"]]
    if previous is not None:
        runs = session.execute(select(func.count()).select_from(supplier_application_checks)
                               .where(supplier_application_checks.c.application_id
                                      == application_id)).scalar_one()
        audit.record(session, actor, "supplier_application.resubmit", "supplier_application",
                     application_id, business_unit=application.business_unit,
                     details={"previous_failed": [c["name"] for c in previous["checks"]
                                                  if not c["passed"]]})
        events.emit(session, "supplier_application.resubmitted", "supplier_application",
                    application_id, {"application_id": application_id,
                                     "supplier_id": application.supplier_id,
                                     "resubmission": runs - 1,
                                     "previous_failed_checks": [
                                         c["name"] for c in previous["checks"]
                                         if not c["passed"]],
                                     "resubmitted_at": now},
                    business_unit=application.business_unit,
                    supplier_id=application.supplier_id)
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


def _certificates_shown(session: Session, application: Any,
                        certificates: list[Mapping[str, Any]] | None
                        ) -> tuple[list[dict[str, Any]], str | None, bool | None]:
    """The certificates as stored and shown (account masked), the clear account of the
    newest bank account certificate (stored encrypted) and whether its keyed hash is the
    application's."""
    shown: list[dict[str, Any]] = []
    account: str | None = None
    for cert in certificates or []:
        fields = cert.get("fields")
        item = {k: cert.get(k) for k in ("document_id", "doc_type", "document_type")}
        if fields is None:
            item |= {"fields": None, "unread": cert.get("unread") or "not read"}
        else:
            item["fields"] = {k: dict(v) for k, v in fields.items()}
            if "account_number" in item["fields"]:
                clear = item["fields"]["account_number"].get("value")
                item["fields"]["account_number"]["value"] = mask_account(clear)
                if cert.get("doc_type") == BANK_LETTER:
                    account = clear or None
        shown.append(item)
    matches = None
    if account:
        cipher = field_cipher(session)
        if cipher is None:
            raise RuntimeError("no field encryption key configured (OLTP__FIELD_ENCRYPTION_KEY)")
        matches = application.bank_account_hmac in cipher.search_hashes(account, "bank_account")
    return shown, account, matches


def run_checks(db: Database, actor: Principal, application_id: int, policy: CommercePolicy,
               read: Callable[[Path], Mapping[str, Any]] | None = None, *,
               read_certificate: Callable[[Path, str], Mapping[str, Any]] | None = None,
               resubmission: bool = False) -> dict[str, Any]:
    """Read the application's documents in force (:func:`documents_to_read`) and record
    their checks: a read transaction, the OCR outside any transaction, a write transaction.
    ``read`` (path → the reader's ``fields`` object) defaults to
    :func:`models.documents.reader.read_fields`; ``read_certificate`` (path, expected
    document type → fields) to the reader with the type detected (a page of another type
    is not read as a certificate). ``resubmission``: the applicant's re-run after failed
    checks (``POST …/resubmit``).

    Raises:
        ForbiddenError, NotFoundError, ConflictError (decided; nothing to resubmit).
    """
    with db.read() as session:
        docs = documents_to_read(session, actor, application_id, policy,
                                 resubmission=resubmission)
    licence = next((d for d in docs if d["doc_type"] == LICENCE), None)
    fields, unread = None, "no business licence attached"
    if licence is not None:
        try:
            fields = (read or _ocr)(licence["path"])
        except (OSError, ValueError) as exc:  # DocumentError is a ValueError
            fields, unread = None, f"the business licence could not be read: {exc}"
    certificates = []
    for doc in docs:
        if doc["doc_type"] not in EXPECTED_TYPE:
            continue
        expected = EXPECTED_TYPE[doc["doc_type"]]
        cert = {"document_id": doc["document_id"], "doc_type": doc["doc_type"],
                "document_type": expected, "fields": None}
        try:
            cert["fields"] = (read_certificate or _ocr_certificate)(doc["path"], expected)
        except (OSError, ValueError) as exc:
            cert["unread"] = f"could not be read: {exc}"
        certificates.append(cert)
    sanctions = load_sanctions(policy.sanctions_list)
    return db.run_write(lambda s: record_checks(
        s, actor, application_id, None if licence is None else licence["document_id"],
        fields, unread, certificates=certificates, sanctions=sanctions,
        resubmission=resubmission))


def _ocr_certificate(path: Path, expected: str) -> dict[str, Any]:
    from models.documents.reader import read_typed

    kind, fields = read_typed(path)
    if kind != expected:
        raise ValueError(f"the page reads as a {kind.replace('_', ' ')}, "
                         f"not a {expected.replace('_', ' ')}")
    return {k: f.as_json() for k, f in fields.items()}


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

