"""Supplier bank accounts: SM4-GCM encrypted at rest, found by a keyed hash, shown masked."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import select, text

from infra.fieldcrypt import FieldCipher, FieldCryptoError, _derive, mask_account
from tests.transactional.commerce import make_uscc
from transactional.db.tables.identity import suppliers
from transactional.db.tables.onboarding import supplier_applications

ACCOUNT = "6222021234567890123"
SECRET = "m" * 40


def test_values_are_sealed_with_sm4_gcm_and_authenticated() -> None:
    cipher = FieldCipher.from_secret(SECRET, "k1")
    sealed = cipher.encrypt(ACCOUNT, "suppliers.bank_account")
    assert sealed.startswith("sm4gcm:k1:") and ACCOUNT not in sealed
    assert sealed != cipher.encrypt(ACCOUNT, "suppliers.bank_account")  # fresh nonce
    assert cipher.decrypt(sealed, "suppliers.bank_account") == ACCOUNT
    raw = base64.urlsafe_b64decode(sealed.split(":", 2)[2])
    key = _derive(SECRET.encode(), b"sm4/k1", 16)  # an independent SM4-GCM opens it
    opener = Cipher(algorithms.SM4(key), modes.GCM(raw[:12], raw[-16:])).decryptor()
    opener.authenticate_additional_data(b"suppliers.bank_account")
    assert (opener.update(raw[12:-16]) + opener.finalize()).decode() == ACCOUNT
    flipped = bytearray(raw)
    flipped[14] ^= 1
    forged = "sm4gcm:k1:" + base64.urlsafe_b64encode(bytes(flipped)).decode()
    for bad, column in ((forged, "suppliers.bank_account"), (sealed, "users.phone"),
                        ("sm4gcm:k9:" + sealed.split(":", 2)[2], "suppliers.bank_account"),
                        ("plain text", "suppliers.bank_account")):
        with pytest.raises(FieldCryptoError):
            cipher.decrypt(bad, column)
    rotated = FieldCipher("k2", b"n" * 40, older={"k1": SECRET.encode()})
    assert rotated.decrypt(sealed, "suppliers.bank_account") == ACCOUNT  # older keys open


def test_search_hash_and_mask() -> None:
    cipher = FieldCipher.from_secret(SECRET)
    spaced = "6222 0212 3456 7890 123"
    assert cipher.search_hash(spaced, "bank_account") == cipher.search_hash(ACCOUNT,
                                                                            "bank_account")
    assert cipher.search_hash(ACCOUNT, "bank_account") != FieldCipher.from_secret(
        "o" * 40).search_hash(ACCOUNT, "bank_account")  # keyed: not a plain SHA-256
    assert mask_account(ACCOUNT) == "6222 **** **** 0123"
    assert mask_account("0502020109024900000") == "0502 **** **** 0000"
    assert (mask_account("12345678"), mask_account(None)) == ("****", None)
    with pytest.raises(ValueError, match="32 characters"):
        FieldCipher.from_secret("short")


def _apply(client, world, account: str) -> dict:
    body = "MA0GRL" + "ABCDEFGHJK"[int(account[-1])] + "ABCDEFGHJK"[int(account[-2])]
    response = client.post("/api/v1/supplier-applications", headers=world.headers(
        "procurement_coal"), json={"company_name": "Datong Sealed Coal", "uscc": make_uscc(body8=body),
                                   "address": "1 Mine Road", "phone": "0352-1234567",
                                   "city": "Datong", "bank_account": account})
    assert response.status_code == 201, response.text
    return response.json()


def test_no_clear_account_is_stored_and_answers_are_masked(client, world, db,
                                                            tx_settings) -> None:
    application = _apply(client, world, "6222 0212 3456 7890 123")
    assert application["bank_account"] == "6222 **** **** 0123"
    fetched = client.get(f"/api/v1/supplier-applications/{application['id']}",
                         headers=world.headers("admin_coal")).json()
    assert fetched["bank_account"] == "6222 **** **** 0123"
    assert "bank_account_enc" not in fetched and "bank_account_hmac" not in fetched
    supplier = client.get(f"/api/v1/suppliers/{application['supplier_id']}",
                          headers=world.headers("procurement_coal")).json()
    assert supplier["bank_account"] == "6222 **** **** 0123"
    with db.engine.connect() as c:  # what the database itself holds
        for table in ("suppliers", "supplier_applications"):
            masked, sealed, digest = c.execute(text(
                f"SELECT bank_account, bank_account_enc, bank_account_hmac FROM {table} "
                "WHERE bank_account_enc IS NOT NULL")).one()
            assert masked == "6222 **** **** 0123" and sealed.startswith("sm4gcm:k1:")
            assert len(digest) == 64
    with db.read() as session:  # the service itself reads the clear value
        assert session.execute(select(suppliers.c.bank_account_enc).where(
            suppliers.c.id == application["supplier_id"])).scalar_one() == \
            "6222 0212 3456 7890 123"
    db.dispose()
    path = Path(tx_settings.oltp.database_url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for clear in (b"6222 0212 3456 7890 123", b"6222021234567890123"):
        assert clear not in stored


def test_staff_find_a_supplier_by_its_exact_account(client, world) -> None:
    application = _apply(client, world, ACCOUNT)
    _apply(client, world, "6222029999999999999")
    for account in (ACCOUNT, "6222 0212 3456 7890 123"):
        found = client.get("/api/v1/suppliers", params={"bank_account": account},
                           headers=world.headers("finance_coal")).json()
        assert [s["id"] for s in found["items"]] == [application["supplier_id"]]
    none = client.get("/api/v1/suppliers", params={"bank_account": "6222020000000000000"},
                      headers=world.headers("finance_coal")).json()
    assert none["total"] == 0
    refused = client.get("/api/v1/suppliers", params={"bank_account": ACCOUNT},
                         headers=world.headers("buyer_coal"))
    assert refused.status_code == 403


def test_rows_from_before_encryption_are_sealed_once(client, world, db) -> None:
    from typer.testing import CliRunner

    from transactional.cli import tx_app
    from transactional.identity.sensitive import encrypt_clear_fields

    application = _apply(client, world, ACCOUNT)
    with db.engine.begin() as c:  # as a row written before this release looks
        for table in ("suppliers", "supplier_applications"):
            c.execute(text(f"UPDATE {table} SET bank_account = '{ACCOUNT}', "
                           "bank_account_enc = NULL, bank_account_hmac = NULL "
                           "WHERE bank_account_enc IS NOT NULL"))
    result = CliRunner().invoke(tx_app, ["encrypt-fields"])
    assert result.exit_code == 0, result.output
    assert "encrypted: 1 suppliers, 1 supplier_applications" in result.output
    assert db.run_write(encrypt_clear_fields) == {"suppliers": 0, "supplier_applications": 0}
    with db.read() as session:
        row = session.execute(select(supplier_applications).where(
            supplier_applications.c.id == application["id"])).one()
    assert (row.bank_account, row.bank_account_enc) == ("6222 **** **** 0123", ACCOUNT)
    found = client.get("/api/v1/suppliers", params={"bank_account": ACCOUNT},
                       headers=world.headers("admin")).json()
    assert [s["id"] for s in found["items"]] == [application["supplier_id"]]
