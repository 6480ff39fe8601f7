"""The demo's supplier onboarding: a few applications with rendered documents read by OCR.

The first three ERP vendors not on the platform yet apply (each by its unit's procurement),
through the transactional services as their users would through the API:

1. **Fast track** — the licence (营业执照) and the bank account certificate (开户许可证)
   rendered with the vendor's name, credit code, address and account
   (``models/documents/synthetic*.py``: CJK font, seal, rotation, blur, JPEG), uploaded by
   the unit's procurement; the automatic checks run (OCR); approved by the reviewer.
2. **Resubmitted** — the bank certificate shows another account: ``bank_account_matches``
   fails; the applicant (a supplier login created for it) uploads the corrected certificate
   (``replaces`` the first) and resubmits; the checks run again; approved.
3. **Rejected** — no documents uploaded: the checks fail (``licence_read``,
   ``bank_account_matches``); rejected with the reason.

Without a CJK font (``make cjk-fonts``; ``make demo`` installs it) no document is rendered:
the three apply without documents, their checks fail, the first two are approved by the
reviewer anyway. Five pages are read (about 1.5 CPU s each; the licence of 2 is read once, cached by content):
the demo lake build stays within its budget. Every state change is an outbox event
(``supplier.applied``, ``supplier_application.document_uploaded`` / ``.checked`` /
``.resubmitted``, ``supplier.approved`` / ``.rejected``), so ``onboarding_cycle_times``
and its summary have real rows after ``make demo``.
"""

from __future__ import annotations

import io
import re
from typing import Any

from infra.settings import Settings

#: the demo's password for the applicant login it creates
DEMO_PASSWORD = "grouplake-demo"


def _vendors(db: Any, erp: dict, units: list[str], count: int) -> list[dict[str, Any]]:
    """The first ``count`` ERP vendors (any unit, distinct codes) not on the platform, with
    clean data."""
    from sqlalchemy import select

    from infra.uscc import normalise_uscc, uscc_problem
    from transactional.db.tables.identity import suppliers

    with db.read() as session:
        codes = {normalise_uscc(c) for c in session.execute(select(suppliers.c.credit_code).where(
            suppliers.c.status != "rejected")).scalars() if c}
    eligible = [v for v in sorted(erp["vendors"], key=lambda v: (v["status"] != "active",
                                                                 v["vendor_id"]))
                if v["business_unit_code"] in units
                and v["uscc"] and not uscc_problem(v["uscc"])
                and normalise_uscc(v["uscc"]) not in codes
                and all(v[k] and "\ufffd" not in str(v[k]) for k in (
                    "name", "address", "phone", "bank_account", "city"))]
    chosen, seen = [], set()
    for v in eligible:
        code = normalise_uscc(v["uscc"])
        if code not in seen:
            chosen.append(v)
            seen.add(code)
        if len(chosen) == count:
            break
    return chosen


def _font_installed() -> bool:
    from models.documents.fonts import FontMissingError, cjk_font_path

    try:
        cjk_font_path()
    except FontMissingError:
        return False
    return True


def _documents(vendor: dict[str, Any], seed: int, account: str | None = None
               ) -> tuple[bytes, bytes]:
    """The vendor's licence and bank account certificate, rendered (JPEG)."""
    from infra.uscc import normalise_uscc
    from models.documents.synthetic import make_licence
    from models.documents.synthetic_certificates import make_certificate

    licence = make_licence(seed, printed={"credit_code": normalise_uscc(vendor["uscc"]),
                                          "name": vendor["name"], "address": vendor["address"]})
    digits = account or re.sub(r"\D", "", vendor["bank_account"])
    bank = make_certificate(seed, "bank_account_certificate",
                            printed={"holder": vendor["name"], "account_number": digits})
    return licence.image, bank.image


def simulate_onboarding(db: Any, erp: dict, settings: Settings, units: list[str]
                        ) -> dict[str, Any]:
    """Run the three applications of the module doc (idempotent: nothing when any
    application exists). Returns ``{"onboarded": first supplier id or None, "applications":
    [{supplier_id, path, fast_track, decision}]}``."""
    from sqlalchemy import select

    from transactional.core.policy import CommercePolicy
    from transactional.db.tables.identity import users
    from transactional.db.tables.onboarding import supplier_applications
    from transactional.domain.principal import SYSTEM
    from transactional.identity.users import create_user, hash_password, principal_of
    from transactional.onboarding import applications as onboarding
    from transactional.onboarding import checks, documents

    with db.read() as session:
        done = session.execute(select(supplier_applications.c.supplier_id)
                               .order_by(supplier_applications.c.id)).scalar()
    if done:
        return {"onboarded": done, "applications": []}
    vendors = _vendors(db, erp, units, 3)
    if not vendors:
        return {"onboarded": None, "applications": []}
    policy = CommercePolicy.from_settings(settings)
    rendered = _font_installed()

    def procurement(unit: str) -> Any:
        with db.read() as session:
            return principal_of(session.execute(select(users).where(
                users.c.username == f"procurement.{unit.lower()}")).one())

    def apply(vendor: dict[str, Any], staff: Any) -> dict[str, Any]:
        values = {k: vendor[k] for k in ("address", "phone", "city", "province", "bank_name",
                                         "bank_account")}
        values |= {"company_name": vendor["name"], "uscc": vendor["uscc"],
                   "settlement_currency": vendor["currency"]}
        return db.run_write(lambda s: onboarding.submit_application(
            s, staff, values, group_code=settings.group_code,
            default_currency=settings.oltp.settlement_currency_default))

    def upload(actor: Any, application_id: int, doc_type: str, content: bytes, name: str,
               replaces: int | None = None) -> int:
        stored = documents.store_file(io.BytesIO(content), name, policy)
        return db.run_write(lambda s: documents.add_document(
            s, actor, application_id, doc_type, name, stored, replaces=replaces))["id"]

    out: list[dict[str, Any]] = []
    for i, vendor in enumerate(vendors):
        staff = procurement(vendor["business_unit_code"])
        application = apply(vendor, staff)
        app_id, path = application["id"], ("fast_track", "resubmitted", "rejected")[i]
        if path != "rejected" and rendered:
            good = re.sub(r"\D", "", vendor["bank_account"])
            wrong = good[:-4] + ("0000" if not good.endswith("0000") else "1111")
            licence, bank = _documents(vendor, 100 + i, wrong if path == "resubmitted" else None)
            upload(staff, app_id, "business_license", licence, "营业执照.jpg")
            first_bank = upload(staff, app_id, "bank_account_letter", bank, "开户许可证.jpg")
        result = checks.run_checks(db, staff, app_id, policy)
        if path == "resubmitted" and rendered and not result["fast_track"]:
            login = f"supplier.{application['supplier_id'].lower()}"
            db.run_write(lambda s, sid=application["supplier_id"], name=login: create_user(
                s, SYSTEM, username=name, password="", role="supplier", supplier_id=sid,
                password_hash=hash_password(DEMO_PASSWORD)))
            with db.read() as session:
                applicant = principal_of(session.execute(select(users).where(
                    users.c.username == login)).one())
            _, corrected = _documents(vendor, 100 + i)
            upload(applicant, app_id, "bank_account_letter", corrected, "开户许可证.jpg",
                   replaces=first_bank)
            result = checks.run_checks(db, applicant, app_id, policy, resubmission=True)
        decision = "reject" if path == "rejected" else "approve"
        failed = [c["name"] for c in result["checks"] if not c["passed"]]
        reason = ("demo: documents missing: " + ", ".join(failed) if decision == "reject"
                  else "demo: checks reviewed")
        db.run_write(lambda s, a=app_id, d=decision, r=reason: onboarding.review(
            s, SYSTEM, a, d, r))
        out.append({"supplier_id": application["supplier_id"], "path": path,
                    "fast_track": result["fast_track"], "failed_checks": failed,
                    "decision": decision})
    return {"onboarded": out[0]["supplier_id"], "applications": out}
