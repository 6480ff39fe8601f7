"""Onboarding checks on certificates (#22): an expired certificate, a bank account that is not
the applied one and a sanctioned code or name are flagged, each saying exactly what is wrong;
the applicant fixes a document and resubmits, and the checks pass; every state change is an
outbox event.

The checks are fed OCR'd fields directly (``record_checks``) except in the two ``slow`` tests,
which run the real OCR engine on five generated pages (about 2 CPU s each).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, text

from tests.transactional.commerce import PDF
from transactional.db.tables.core import audit_log, outbox_events
from transactional.db.tables.onboarding import supplier_application_checks

BANK = "6222020200112233445"
OTHER = "6222020200199998888"
COMPANY = {"company_name": "大同华晟煤业有限公司", "uscc": "91140200MA0GRLAK39",
           "address": "大同市矿区新平旺1号", "phone": "0352-7010000", "city": "大同市",
           "bank_account": BANK}
LICENCE = {"credit_code": {"value": "91140200MA0GRLAK39", "confidence": 0.99},
           "name": {"value": "大同华晟煤业有限公司", "confidence": 0.99},
           "legal_representative": {"value": "王磊", "confidence": 0.99}}


def _apply(client, world, **changes: str) -> dict:
    response = client.post("/api/v1/supplier-applications", json={**COMPANY, **changes},
                           headers=world.headers("procurement_coal"))
    assert response.status_code == 201, response.text
    return response.json()


def _upload(client, world, application_id: int, doc_type: str, content: bytes = PDF,
            name: str = "document.pdf", user: str = "procurement_coal", **form: str):
    response = client.post(f"/api/v1/supplier-applications/{application_id}/documents",
                           files={"file": (name, content, "application/octet-stream")},
                           data={"doc_type": doc_type, **form}, headers=world.headers(user))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _bank(document_id: int, account: str = BANK, holder: str = COMPANY["company_name"]) -> dict:
    return {"document_id": document_id, "doc_type": "bank_account_letter",
            "document_type": "bank_account_certificate",
            "fields": {"certificate_number": {"value": "J1610001234501", "confidence": 0.98},
                       "holder": {"value": holder, "confidence": 0.98},
                       "account_number": {"value": account, "confidence": 0.97}}}


def _iso(document_id: int, valid_until: str, holder: str = COMPANY["company_name"]) -> dict:
    return {"document_id": document_id, "doc_type": "qualification_certificate",
            "document_type": "iso_certificate",
            "fields": {"certificate_number": {"value": "00121Q31234R2M", "confidence": 0.98},
                       "holder": {"value": holder, "confidence": 0.98},
                       "valid_until": {"value": valid_until, "confidence": 0.98}}}


def _record(db, world, application_id: int, certificates: list[dict], **kwargs) -> dict:
    from transactional.onboarding.checks import record_checks

    return db.run_write(lambda s: record_checks(s, world.users["admin_coal"], application_id,
                                                None, LICENCE, certificates=certificates,
                                                **kwargs))


def _by_name(result: dict) -> dict[str, dict]:
    return {c["name"]: c for c in result["checks"]}


def test_an_expired_certificate_is_flagged_by_name(client, world, db) -> None:
    app = _apply(client, world)
    bank = _upload(client, world, app["id"], "bank_account_letter")
    iso = _upload(client, world, app["id"], "qualification_certificate")
    permit = _upload(client, world, app["id"], "qualification_certificate")
    today = dt.datetime.now(dt.UTC).date()
    expired = (today - dt.timedelta(days=10)).isoformat()
    valid = (today + dt.timedelta(days=400)).isoformat()
    result = _record(db, world, app["id"], [_bank(bank), _iso(iso, expired),
                                            _iso(permit, valid, holder="太原恒通化工有限公司")])
    checks = _by_name(result)
    assert result["fast_track"] is False
    assert checks[f"certificate_not_expired:{iso}"] == {
        "name": f"certificate_not_expired:{iso}", "passed": False, "valid_until": expired,
        "document_id": iso,
        "detail": f"certificate 00121Q31234R2M: expired on {expired} (10 days ago)"}
    assert checks[f"certificate_not_expired:{permit}"]["passed"] is True
    assert checks[f"certificate_holder_matches:{iso}"]["passed"] is True
    assert checks[f"certificate_holder_matches:{permit}"]["detail"] == (
        "certificate 00121Q31234R2M shows holder 太原恒通化工有限公司, "
        "application says 大同华晟煤业有限公司")
    assert [c["name"] for c in result["checks"] if not c["passed"]] == [
        f"certificate_not_expired:{iso}", f"certificate_holder_matches:{permit}"]


def test_a_bank_account_mismatch_is_flagged_and_never_shown_in_clear(client, world, db) -> None:
    app = _apply(client, world)
    bank = _upload(client, world, app["id"], "bank_account_letter")
    result = _record(db, world, app["id"], [_bank(bank, account=OTHER)])
    check = _by_name(result)["bank_account_matches"]
    assert check == {"name": "bank_account_matches", "passed": False, "document_id": bank,
                     "ocr_value": "6222 **** **** 8888", "applied_value": "6222 **** **** 3445",
                     "detail": "the certificate shows account 6222 **** **** 8888, "
                               "the application says 6222 **** **** 3445"}
    assert result["certificates"][0]["fields"]["account_number"]["value"] == \
        "6222 **** **** 8888"
    shown = client.get(f"/api/v1/supplier-applications/{app['id']}",
                       headers=world.headers("procurement_coal")).text
    assert OTHER not in shown and BANK not in shown
    with db.read() as session:
        assert session.execute(select(supplier_application_checks.c.bank_account_enc)
                               ).scalar_one() == OTHER  # decrypted by the column type
    with db.engine.connect() as c:
        raw = c.execute(text("SELECT bank_account_enc, certificates, checks FROM "
                             "supplier_application_checks")).one()
        events = json.dumps([list(r) for r in c.execute(text(
            "SELECT payload FROM outbox_events"))]) + json.dumps(
            [list(r) for r in c.execute(text("SELECT details FROM audit_log"))])
    assert raw.bank_account_enc.startswith("sm4gcm:k1:")
    assert OTHER not in str(raw.certificates) + str(raw.checks) + events
    matching = _record(db, world, app["id"], [_bank(bank)])
    assert _by_name(matching)["bank_account_matches"]["passed"] is True
    assert matching["fast_track"] is True


def test_a_sanctioned_code_or_name_is_flagged_with_its_entry(client, world, db,
                                                             tmp_path) -> None:
    from transactional.onboarding.checks import load_sanctions

    csv_file = tmp_path / "sanctions.csv"
    csv_file.write_text("name,credit_code,reason\n太原恒通化工有限公司,,fraud 2025\n"
                        ",91140200ma0grlak39,court blacklist\n", encoding="utf-8")
    json_file = tmp_path / "sanctions.json"
    json_file.write_text(json.dumps([{"name": "大同华晟煤业有限责任公司"}]), encoding="utf-8")
    by_code = load_sanctions(str(csv_file))
    assert by_code == [
        {"entry": 1, "name": "太原恒通化工有限公司", "credit_code": None, "reason": "fraud 2025"},
        {"entry": 2, "name": None, "credit_code": "91140200MA0GRLAK39",
         "reason": "court blacklist"}]
    app = _apply(client, world)
    bank = _upload(client, world, app["id"], "bank_account_letter")
    hit = _by_name(_record(db, world, app["id"], [_bank(bank)], sanctions=by_code))
    assert hit["not_sanctioned"]["passed"] is False
    assert hit["not_sanctioned"]["detail"] == (
        "on the sanctions list, entry 2: 91140200MA0GRLAK39 (court blacklist), "
        "matched by credit code")
    by_name = _by_name(_record(db, world, app["id"], [_bank(bank)],
                               sanctions=load_sanctions(str(json_file))))["not_sanctioned"]
    assert (by_name["passed"], by_name["matched_on"], by_name["entry"]["entry"]) == (
        False, "name", 1)  # the legal form normalised
    clean = _record(db, world, app["id"], [_bank(bank)], sanctions=by_code[:1])
    assert _by_name(clean)["not_sanctioned"] == {
        "name": "not_sanctioned", "passed": True,
        "detail": "not on the sanctions list (1 entries)"}
    assert clean["fast_track"] is True
    broken = load_sanctions(str(tmp_path / "missing.csv"))
    closed = _by_name(_record(db, world, app["id"], [_bank(bank)], sanctions=broken))
    assert closed["not_sanctioned"]["passed"] is False  # fails closed
    assert closed["not_sanctioned"]["detail"].startswith("the sanctions list cannot be read: ")


def test_resubmission_needs_failed_checks_and_replaces_only_its_own_documents(
        client, world, db) -> None:
    app = _apply(client, world)
    response = client.post(f"/api/v1/supplier-applications/{app['id']}/resubmit",
                           headers=world.headers("procurement_coal"))
    assert (response.status_code, response.json()["error"]["code"]) == (
        409, "nothing_to_resubmit")
    licence = _upload(client, world, app["id"], "business_license")
    wrong = client.post(f"/api/v1/supplier-applications/{app['id']}/documents",
                        files={"file": ("b.pdf", PDF, "application/pdf")},
                        data={"doc_type": "bank_account_letter", "replaces": str(licence)},
                        headers=world.headers("procurement_coal"))
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (422, "invalid_replacement")


def _font_or_skip() -> None:
    from models.documents.fonts import FontMissingError, cjk_font_path

    try:
        cjk_font_path()
    except FontMissingError:  # pragma: no cover - make test installs it
        pytest.skip("no CJK font installed (bash infra/install_cjk_fonts.sh)")


@pytest.mark.slow
def test_generated_certificates_are_read_with_their_type(tmp_path) -> None:
    """Two pages: a bank account certificate (``grouplake documents sample --type …`` then
    ``documents read``) and an expired ISO certificate, the type detected from the page."""
    _font_or_skip()
    from typer.testing import CliRunner

    from grouplake.cli import app
    from models.documents.reader import read_document
    from models.documents.synthetic_certificates import make_certificate

    path = tmp_path / "开户许可证.jpg"
    sample = CliRunner().invoke(app, ["documents", "sample", str(path), "--seed", "1",
                                      "--type", "bank_account_certificate"])
    assert sample.exit_code == 0, sample.output
    truth = json.loads(sample.stdout)
    assert truth == make_certificate(1, "bank_account_certificate").truth
    read = CliRunner().invoke(app, ["documents", "read", str(path)])
    assert read.exit_code == 0, read.output
    body = json.loads(read.stdout)
    assert body["document_type"] == "bank_account_certificate"
    assert {k: v["value"] for k, v in body["fields"].items()} == truth
    assert all(v["confidence"] > 0.8 for v in body["fields"].values())
    assert body["checks"] == [{"name": "fields_complete", "passed": True,
                               "detail": "all fields read"}]
    iso = make_certificate(2, "iso_certificate", printed={"valid_until": "2025-06-30"})
    body = read_document(iso.image)
    assert body["document_type"] == "iso_certificate"
    assert {k: v["value"] for k, v in body["fields"].items()} == iso.truth
    assert body["checks"][1]["name"] == "not_expired"
    assert body["checks"][1]["passed"] is False
    assert body["checks"][1]["detail"].startswith("expired on 2025-06-30")


@pytest.mark.slow
def test_the_applicant_fixes_its_bank_certificate_and_resubmits(client, world, db) -> None:
    """Real OCR on three pages: the licence (read once: cached by content), the bank
    certificate with the wrong account, the corrected one uploaded by the applicant."""
    _font_or_skip()
    from models.documents.synthetic import make_licence
    from models.documents.synthetic_certificates import make_certificate
    from transactional.domain.principal import SYSTEM
    from transactional.identity.users import create_user
    from transactional.onboarding.checks import CHECKS  # noqa: F401  (documented names)

    licence = make_licence(6)
    truth = licence.truth
    right = make_certificate(5, "bank_account_certificate", printed={"holder": truth["name"]})
    account = right.truth["account_number"]
    wrong_account = account[:-4] + ("0000" if account[-4:] != "0000" else "1111")
    wrong = make_certificate(5, "bank_account_certificate",
                             printed={"holder": truth["name"], "account_number": wrong_account})
    app = _apply(client, world, company_name=truth["name"], uscc=truth["credit_code"],
                 address=truth["address"], bank_account=account)
    db.run_write(lambda s: create_user(s, SYSTEM, username="applicant", password="",
                                       role="supplier", supplier_id=app["supplier_id"],
                                       password_hash=world_password_hash()))
    with db.read() as session:
        from transactional.db.tables.identity import users
        from transactional.identity.users import principal_of
        applicant = principal_of(session.execute(select(users).where(
            users.c.username == "applicant")).one())
    from tests.transactional.factories import auth_headers
    headers = auth_headers(applicant)
    _upload(client, world, app["id"], "business_license", licence.image, "营业执照.jpg")
    first_bank = _upload(client, world, app["id"], "bank_account_letter", wrong.image,
                         "开户许可证.jpg")
    assert client.post(f"/api/v1/supplier-applications/{app['id']}/checks",
                       headers=headers).status_code == 403  # staff run the checks
    first = client.post(f"/api/v1/supplier-applications/{app['id']}/checks",
                        headers=world.headers("admin_coal")).json()
    assert [c["name"] for c in first["checks"] if not c["passed"]] == ["bank_account_matches"]
    assert _by_name(first)["bank_account_matches"]["ocr_value"] == \
        f"{wrong_account[:4]} **** **** {wrong_account[-4:]}"
    fixed = client.post(f"/api/v1/supplier-applications/{app['id']}/documents",
                        files={"file": ("开户许可证.jpg", right.image, "image/jpeg")},
                        data={"doc_type": "bank_account_letter", "replaces": str(first_bank)},
                        headers=headers)
    assert fixed.status_code == 201 and fixed.json()["replaces_document_id"] == first_bank
    again = client.post(f"/api/v1/supplier-applications/{app['id']}/resubmit", headers=headers)
    assert again.status_code == 200, again.text
    body = again.json()
    assert body["fast_track"] is True, [c for c in body["checks"] if not c["passed"]]
    assert [c["name"] for c in body["checks"]][-3:] == [
        "bank_account_matches", f"certificate_holder_matches:{fixed.json()['id']}",
        "not_sanctioned"]
    assert client.post(f"/api/v1/supplier-applications/{app['id']}/resubmit",
                       headers=headers).json()["error"]["code"] == "nothing_to_resubmit"
    assert client.post(f"/api/v1/supplier-applications/{app['id']}/approve",
                       headers=world.headers("admin_coal")).status_code == 200
    with db.read() as session:
        stream = session.execute(select(outbox_events.c.event_type, outbox_events.c.payload)
                                 .where(outbox_events.c.aggregate_type.in_(
                                     ["supplier", "supplier_application"]),
                                     outbox_events.c.aggregate_id.in_(
                                     [str(app["id"]), app["supplier_id"]]))
                                 .order_by(outbox_events.c.sequence_id)).all()
        actions = session.execute(select(audit_log.c.action).where(
            audit_log.c.action == "supplier_application.resubmit")).scalars().all()
    assert [e.event_type for e in stream] == [
        "supplier.applied", "supplier_application.document_uploaded",
        "supplier_application.document_uploaded", "supplier_application.checked",
        "supplier_application.document_uploaded", "supplier_application.resubmitted",
        "supplier_application.checked", "supplier.approved"]
    assert stream[4].payload["by_applicant"] is True
    assert stream[5].payload["previous_failed_checks"] == ["bank_account_matches"]
    assert stream[5].payload["resubmission"] == 1
    assert actions == ["supplier_application.resubmit"]


def world_password_hash() -> str:
    from tests.transactional.factories import password_hash

    return password_hash()
