"""Automatic onboarding checks from the OCR of a business licence (#22): a code failing
GB 32100 and a name mismatch are flagged, an applicant already in the supplier master is
linked (and its suspension and shared bank account shown), all passed → fast track; refused
uploads store nothing.

The two API tests run the real OCR engine on generated licences (a few seconds each on the
shared machine: marked ``slow``); the engine loads once per process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, select

from models.documents.fonts import FontMissingError, cjk_font_path
from tests.transactional.commerce import PDF
from transactional.db.tables.core import outbox_events
from transactional.db.tables.identity import suppliers
from transactional.db.tables.onboarding import supplier_application_checks, supplier_documents
from transactional.db.tables.supply import supplier_suspensions
from transactional.db.types import utcnow

SEED = 6  # 中卫达华轴承有限公司
BANK = "6222020200112233445"


def _font_or_skip() -> None:
    try:
        cjk_font_path()
    except FontMissingError:  # pragma: no cover - make test installs it
        pytest.skip("no CJK font installed (bash infra/install_cjk_fonts.sh)")


def _licence(**printed: str):
    from models.documents.synthetic import make_licence

    return make_licence(SEED, printed=printed or None)


def _company(truth: dict[str, str], **changes: str) -> dict[str, str]:
    return {"company_name": truth["name"], "uscc": truth["credit_code"],
            "address": truth["address"], "phone": "0352-7010000", "city": "大同市",
            "bank_account": BANK, **changes}


def _apply(client, world, company: dict[str, str]) -> dict:
    response = client.post("/api/v1/supplier-applications", json=company,
                           headers=world.headers("procurement_coal"))
    assert response.status_code == 201, response.text
    return response.json()


def _upload(client, world, application_id: int, content: bytes, name: str):
    return client.post(f"/api/v1/supplier-applications/{application_id}/documents",
                       files={"file": (name, content, "application/octet-stream")},
                       data={"doc_type": "business_license"},
                       headers=world.headers("procurement_coal"))


def _checks(client, world, application_id: int, user: str = "admin_coal"):
    return client.post(f"/api/v1/supplier-applications/{application_id}/checks",
                       headers=world.headers(user))


def _by_name(body: dict) -> dict[str, dict]:
    return {c["name"]: c for c in body["checks"]}


@pytest.mark.slow
def test_code_failing_gb32100_and_name_mismatch_are_flagged(client, world) -> None:
    _font_or_skip()
    truth = _licence().truth
    bad = truth["credit_code"][:-1] + ("X" if truth["credit_code"][-1] != "X" else "W")
    other_name = "太原恒通化工有限公司"
    app = _apply(client, world, _company(truth, company_name=other_name))
    assert _checks(client, world, app["id"]).json()["checks"][0] == {
        "name": "licence_read", "passed": False, "detail": "no business licence attached"}
    licence = _licence(credit_code=bad)
    assert _upload(client, world, app["id"], licence.image, "营业执照.jpg").status_code == 201
    assert _checks(client, world, app["id"], "buyer_coal").status_code == 403
    assert _checks(client, world, app["id"], "procurement_power").status_code == 404
    body = _checks(client, world, app["id"]).json()
    checks = _by_name(body)
    assert body["fast_track"] is False
    assert checks["licence_read"]["passed"] is True
    assert checks["credit_code_valid"] == {
        "name": "credit_code_valid", "passed": False,
        "detail": f"licence code {bad}: the check character (18th) is wrong", "ocr_value": bad}
    assert checks["credit_code_matches"]["passed"] is False
    assert checks["credit_code_matches"]["applied_value"] == truth["credit_code"]
    assert checks["name_matches"] == {
        "name": "name_matches", "passed": False,
        "detail": f"licence shows {truth['name']}, application says {other_name}",
        "ocr_value": truth["name"], "applied_value": other_name}
    assert [c["passed"] for c in body["checks"][4:]] == [True, True, True, False, True]
    assert checks["bank_account_matches"]["detail"] == "no bank account certificate attached"


@pytest.mark.slow
def test_an_applicant_already_in_the_master_is_linked(client, world, db) -> None:
    _font_or_skip()
    licence = _licence()
    truth = licence.truth
    now = utcnow()

    def existing(session) -> None:  # the same company, onboarded by POWER, now suspended
        session.execute(insert(suppliers).values(
            id="GL-POWER-000077", name=truth["name"].replace("有限公司", "有限责任公司"),
            credit_code=None, status="approved", created_at=now, business_unit="POWER",
            bank_account="6222 **** **** 3445", bank_account_enc=BANK))
        session.execute(insert(supplier_suspensions).values(
            supplier_id="GL-POWER-000077", reason="bottom 10% two months running",
            snapshot_version="v1", since=now, updated_at=now))

    db.run_write(existing)
    app = _apply(client, world, _company(truth))
    assert _upload(client, world, app["id"], licence.image, "licence.jpg").status_code == 201
    body = _checks(client, world, app["id"]).json()
    checks = _by_name(body)
    assert [c["name"] for c in body["checks"]] == [
        "licence_read", "credit_code_valid", "credit_code_matches", "name_matches",
        "not_existing_supplier", "not_suspended", "bank_account_unique", "bank_account_matches",
        "not_sanctioned"]
    assert [c["passed"] for c in body["checks"]] == [True, True, True, True, False, False, False,
                                                     False, True]
    assert checks["not_existing_supplier"]["linked_supplier_ids"] == ["GL-POWER-000077"]
    assert checks["not_existing_supplier"]["detail"] == \
        "already a supplier: GL-POWER-000077 (POWER, by name)"
    assert checks["not_suspended"]["suspended_supplier_ids"] == ["GL-POWER-000077"]
    assert checks["bank_account_unique"]["supplier_ids"] == ["GL-POWER-000077"]
    assert body["fast_track"] is False
    person = truth["legal_representative"]
    assert body["fields"]["legal_representative"]["value"] == person[0] + "*" * (len(person) - 1)
    shown = client.get(f"/api/v1/supplier-applications/{app['id']}",
                       headers=world.headers("procurement_coal")).json()
    assert shown["checks"]["checks"] == body["checks"]
    with db.read() as session:
        stored = session.execute(select(supplier_application_checks)).one()
        event = session.execute(select(outbox_events.c.payload).where(
            outbox_events.c.event_type == "supplier_application.checked")).scalar_one()
    assert stored.legal_representative_enc == person  # decrypted by the column type
    assert event["fast_track"] is False and event["failed_checks"] == [
        "not_existing_supplier", "not_suspended", "bank_account_unique", "bank_account_matches"]


def test_all_checks_passed_goes_to_the_fast_track(client, world, db) -> None:
    from transactional.onboarding.checks import record_checks

    truth = {"name": "大同华晟煤业有限公司", "credit_code": "91140200MA0GRLAK39",
             "address": "大同市矿区新平旺1号"}
    app = _apply(client, world, _company(truth))
    reviewer = world.users["admin_coal"]
    fields = {"credit_code": {"value": "91140200MA0GRLAK39", "confidence": 0.99},
              "name": {"value": "大同华晟煤业有限责任公司", "confidence": 0.99},  # same legal form
              "legal_representative": {"value": "王磊", "confidence": 0.99}}
    bank = client.post(f"/api/v1/supplier-applications/{app['id']}/documents",
                       files={"file": ("开户许可证.pdf", PDF, "application/pdf")},
                       data={"doc_type": "bank_account_letter"},
                       headers=world.headers("procurement_coal")).json()["id"]
    certificates = [{"document_id": bank, "doc_type": "bank_account_letter",
                     "document_type": "bank_account_certificate",
                     "fields": {"holder": {"value": truth["name"], "confidence": 0.99},
                                "account_number": {"value": BANK, "confidence": 0.99}}}]
    result = db.run_write(lambda s: record_checks(s, reviewer, app["id"], None, fields,
                                                  certificates=certificates))
    assert result["fast_track"] is True
    assert all(c["passed"] for c in result["checks"])
    queue = client.get("/api/v1/supplier-applications?fast_track=true&status=submitted",
                       headers=world.headers("admin_coal")).json()
    assert [a["id"] for a in queue["items"]] == [app["id"]]
    homophone = {**fields, "name": {"value": "大同华盛煤业有限公司", "confidence": 0.99}}
    again = db.run_write(lambda s: record_checks(s, reviewer, app["id"], None, homophone,
                                                 certificates=certificates))
    assert again["fast_track"] is False  # the latest run is in force
    assert [c["name"] for c in again["checks"] if not c["passed"]] == ["name_matches"]
    assert client.get("/api/v1/supplier-applications?fast_track=true",
                      headers=world.headers("admin_coal")).json()["items"] == []


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_oversized_or_non_image_uploads_are_refused_and_nothing_is_stored(
        world, tx_settings, monkeypatch, db) -> None:
    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("OLTP__DOCUMENT_MAX_BYTES", "2000")
    reset_settings_cache()
    settings = get_settings()
    root = Path(settings.oltp.document_dir)
    with TestClient(create_app(settings)) as client:
        app = _apply(client, world, _company({"name": "大同华晟煤业有限公司",
                                               "credit_code": "91140200MA0GRLAK39",
                                               "address": "大同市矿区新平旺1号"}))
        refusals = [
            (_upload(client, world, app["id"], PDF + b"x" * 2000, "big.pdf"),
             422, "document_too_large"),
            (_upload(client, world, app["id"], b"MZ\x90\x00 an executable", "licence.jpg"),
             422, "document_type_not_allowed"),
            (_upload(client, world, app["id"], b"<svg onload=alert(1)>", "licence.svg"),
             422, "document_type_not_allowed"),
            (_upload(client, world, app["id"], b"\x89PNG\r\n\x1a\n" + b"\x00" * 8,
                     "../../licence.pdf"), 422, "document_type_mismatch"),
        ]
        for response, status, code in refusals:
            assert (response.status_code, response.json()["error"]["code"]) == (status, code)
        huge = _upload(client, world, app["id"], PDF + b"x" * 1_200_000, "huge.pdf")
        assert huge.status_code == 413
    assert _stored_files(root) == []
    with db.read() as session:
        assert session.execute(select(supplier_documents)).all() == []
