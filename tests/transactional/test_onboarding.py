"""Supplier onboarding: USCC validation, documents typed by content and size-checked, a
four-eyes review, offers only once approved, ``supplier.approved`` with the company data."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from infra.uscc import uscc_problem
from tests.transactional.commerce import PDF, PNG, make_uscc
from transactional.db.tables.core import audit_log, outbox_events

VALID = make_uscc()  # 91140200MA0GRLAK39
COMPANY = {"company_name": "大同煤业股份有限公司", "uscc": VALID, "address": "大同市矿区新平旺1号",
           "phone": "0352-7010000", "city": "大同市", "province": "山西省",
           "bank_name": "中国工商银行大同分行", "bank_account": "0502020109024900000"}


@pytest.mark.parametrize(("code", "problem"), [
    (VALID, None), (VALID.lower(), None), (" 9114 0200-MA0G RLAK 39", None),
    (VALID[:-1] + "4", "check_character"), (VALID[:16] + "0" + VALID[17], "organisation_check"),
    ("Y2" + VALID[2:], "authority"), (VALID[:5] + "O" + VALID[6:], "charset"),
    (VALID[:17], "length"), ("", "empty"),
])
def test_uscc_validation(code: str, problem: str | None) -> None:
    assert uscc_problem(code) == problem


def _apply(client, world, user: str = "procurement_coal", **changes: str):
    return client.post("/api/v1/supplier-applications", json={**COMPANY, **changes},
                       headers=world.headers(user))


def _upload(client, world, application_id: int, content: bytes, name: str,
            user: str = "procurement_coal", doc_type: str = "business_license"):
    return client.post(f"/api/v1/supplier-applications/{application_id}/documents",
                       files={"file": (name, content, "application/octet-stream")},
                       data={"doc_type": doc_type}, headers=world.headers(user))


def test_application_review_and_the_right_to_publish_offers(client, world, db) -> None:
    bad = _apply(client, world, uscc=VALID[:-1] + "4")
    assert bad.status_code == 422 and "check character" in bad.text
    assert _apply(client, world, "buyer_coal").status_code == 403
    applied = _apply(client, world)
    assert applied.status_code == 201, applied.text
    app = applied.json()
    supplier_id = app["supplier_id"]
    assert (supplier_id, app["status"], app["settlement_currency"]) == (
        "GL-COAL-000001", "submitted", "CNY")
    assert _apply(client, world).json()["error"]["code"] == "duplicate"
    assert client.get(f"/api/v1/suppliers/{supplier_id}", headers=world.headers("admin")
                      ).json()["status"] == "pending"
    user = client.post("/api/v1/users", json={"username": "dtmy", "password": "long-password",
                                             "role": "supplier", "supplier_id": supplier_id},
                       headers=world.headers("admin"))
    assert user.status_code == 201, user.text
    from tests.transactional.factories import auth_headers
    from transactional.domain.principal import Principal, Role

    applicant = auth_headers(Principal(user.json()["id"], Role.SUPPLIER, None, supplier_id))
    offer = {"sku_id": world.sku_ids["COAL-5500"], "currency": "CNY", "moq": 1,
             "price_tiers": [{"min_quantity": 1, "unit_price": "700"}]}
    refused = client.post("/api/v1/offers", json=offer, headers=applicant)
    assert (refused.status_code, refused.json()["error"]["code"]) == (
        409, "supplier_not_approved")
    own = client.get(f"/api/v1/supplier-applications/{app['id']}", headers=applicant)
    assert own.status_code == 200  # the applicant follows its review
    four_eyes = client.post(f"/api/v1/supplier-applications/{app['id']}/approve",
                            headers=world.headers("procurement_coal"))
    assert (four_eyes.status_code, four_eyes.json()["error"]["code"]) == (
        403, "separation_of_duties")
    no_reason = client.post(f"/api/v1/supplier-applications/{app['id']}/reject", json={},
                            headers=world.headers("admin_coal"))
    assert no_reason.status_code == 422
    approved = client.post(f"/api/v1/supplier-applications/{app['id']}/approve",
                           headers=world.headers("admin_coal"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert client.post(f"/api/v1/supplier-applications/{app['id']}/reject",
                       json={"reason": "late"}, headers=world.headers("admin_coal")
                       ).status_code == 409
    assert client.post("/api/v1/offers", json=offer, headers=applicant).status_code == 201
    with db.read() as session:
        event = session.execute(select(outbox_events).where(
            outbox_events.c.event_type == "supplier.approved",
            outbox_events.c.aggregate_id == supplier_id)).one()
        audited = session.execute(select(audit_log.c.action).where(
            audit_log.c.object_type == "supplier_application")).scalars().all()
    payload = event.payload
    assert {k: payload[k] for k in ("supplier_id", "name", "uscc", "city", "phone", "address",
                                    "bank_account", "business_unit", "source")} == {
        "supplier_id": supplier_id, "name": COMPANY["company_name"], "uscc": VALID,
        "city": "大同市", "phone": "0352-7010000", "address": "大同市矿区新平旺1号",
        "bank_account": "0502020109024900000", "business_unit": "COAL",
        "source": "onboarding"}
    assert event.supplier_id == supplier_id and event.business_unit == "COAL"
    assert audited == ["supplier_application.submit", "supplier_application.approve"]


def test_rejection_keeps_the_supplier_out(client, world) -> None:
    app = _apply(client, world).json()
    rejected = client.post(f"/api/v1/supplier-applications/{app['id']}/reject",
                           json={"reason": "qualification certificate expired"},
                           headers=world.headers("admin_coal"))
    assert rejected.json()["review_reason"] == "qualification certificate expired"
    assert client.get(f"/api/v1/suppliers/{app['supplier_id']}",
                      headers=world.headers("admin")).json()["status"] == "rejected"
    again = _apply(client, world)  # a rejected company may apply again
    assert again.status_code == 201 and again.json()["supplier_id"] == "GL-COAL-000002"


def test_documents_are_typed_by_content_size_checked_and_stored_by_hash(
        client, world, tx_settings, monkeypatch) -> None:
    app = _apply(client, world).json()
    stored = _upload(client, world, app["id"], PDF, "营业执照.pdf")
    assert stored.status_code == 201, stored.text
    doc = stored.json()
    digest = hashlib.sha256(PDF).hexdigest()
    assert (doc["content_type"], doc["size_bytes"], doc["sha256"], doc["filename"]) == (
        "application/pdf", len(PDF), digest, "营业执照.pdf")
    path = Path(tx_settings.oltp.document_dir) / digest[:2] / digest
    assert path.read_bytes() == PDF
    png = _upload(client, world, app["id"], PNG, "../../etc/licence.png", doc_type="other")
    assert png.status_code == 201 and png.json()["filename"] == "licence.png"
    lying = _upload(client, world, app["id"], PNG, "licence.pdf")
    assert lying.json()["error"]["code"] == "document_type_mismatch"
    text = _upload(client, world, app["id"], b"MZ\x90\x00 not a document", "cert.pdf")
    assert text.json()["error"]["code"] == "document_type_not_allowed"
    assert _upload(client, world, app["id"], b"", "empty.pdf").status_code == 422
    unknown_type = _upload(client, world, app["id"], PDF, "x.pdf", doc_type="selfie")
    assert unknown_type.status_code == 422
    download = client.get(f"/api/v1/supplier-applications/{app['id']}/documents/{doc['id']}",
                          headers=world.headers("admin_coal"))
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    listed = client.get(f"/api/v1/supplier-applications/{app['id']}",
                        headers=world.headers("procurement_coal")).json()
    assert [d["doc_type"] for d in listed["documents"]] == ["business_license", "other"]


def test_document_size_limit(world, tx_settings, monkeypatch) -> None:
    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("OLTP__DOCUMENT_MAX_BYTES", "100")
    reset_settings_cache()
    with TestClient(create_app(get_settings())) as client:
        app = _apply(client, world).json()
        big = _upload(client, world, app["id"], PDF + b"x" * 100, "big.pdf")
        assert (big.status_code, big.json()["error"]["code"]) == (422, "document_too_large")
        huge = _upload(client, world, app["id"], PDF + b"x" * 1_200_000, "huge.pdf")
        assert huge.status_code == 413  # above the request limit: refused before reading
        assert _upload(client, world, app["id"], PDF, "ok.pdf").status_code == 201
