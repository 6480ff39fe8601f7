"""Field key rotation (``grouplake keys rotate``): with the new key current and the old one
readable, every encrypted value is re-sealed under the new key id in batches, stays
readable and searchable throughout, and the rotation is idempotent and audited."""

from __future__ import annotations

import pyotp
from sqlalchemy import select, text
from typer.testing import CliRunner

from tests.transactional.test_field_encryption import ACCOUNT, _apply
from transactional.db.rekey import encrypted_columns
from transactional.db.tables.core import audit_log
from transactional.db.tables.identity import suppliers, users

NEW_SECRET = "rotated-field-key-" + "r" * 30


def _raw(db, table: str, column: str) -> list[str]:
    with db.engine.connect() as c:
        return list(c.execute(text(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL "
                                   "ORDER BY 1")).scalars())


def test_rotation_reseals_every_value_with_the_new_key(client, world, db, tx_settings,
                                                       monkeypatch) -> None:
    from grouplake.cli import app as cli
    from infra.settings import get_settings, reset_settings_cache
    from transactional.db.database import Database
    from transactional.identity import mfa

    assert {c.name for c in encrypted_columns()} == {
        "suppliers.bank_account_enc", "supplier_applications.bank_account_enc",
        "supplier_application_checks.legal_representative_enc",
        "supplier_application_checks.bank_account_enc", "users.mfa_secret_enc"}
    accounts = [ACCOUNT, "6222029999999999999", "6222028888888888888"]
    supplier_ids = [_apply(client, world, a)["supplier_id"] for a in accounts]
    with db.write() as session:
        secret = mfa.start_enrolment(session, world.users["admin"],
                                     issuer_name="GroupLake")["secret"]
    assert all(v.startswith("sm4gcm:k1:") for v in _raw(db, "suppliers", "bank_account_enc"))
    old_hashes = _raw(db, "suppliers", "bank_account_hmac")
    db.dispose()

    old_secret = tx_settings.oltp.field_encryption_key.get_secret_value()
    monkeypatch.setenv("OLTP__FIELD_ENCRYPTION_KEY", NEW_SECRET)
    monkeypatch.setenv("OLTP__FIELD_KEY_ID", "k2")
    monkeypatch.setenv("OLTP__FIELD_OLDER_KEYS", f'{{"k1": "{old_secret}"}}')
    reset_settings_cache()
    rotating = Database.from_settings(get_settings())
    try:
        # mid-rotation: old values read and are found by account, new writes use k2
        with rotating.read() as session:
            assert session.execute(select(suppliers.c.bank_account_enc).where(
                suppliers.c.id == supplier_ids[0])).scalar_one() == ACCOUNT
        from fastapi.testclient import TestClient

        from transactional.main import create_app
        with TestClient(create_app(get_settings())) as mid:
            found = mid.get("/api/v1/suppliers", params={"bank_account": ACCOUNT},
                            headers=world.headers("finance_coal")).json()
            assert [s["id"] for s in found["items"]] == [supplier_ids[0]]
            supplier_ids.append(_apply(mid, world, "6222027777777777777")["supplier_id"])
        assert sum(v.startswith("sm4gcm:k2:")
                   for v in _raw(rotating, "suppliers", "bank_account_enc")) == 1

        result = CliRunner().invoke(cli, ["keys", "rotate", "--batch", "2"])
        assert result.exit_code == 0, result.output
        assert ("re-encrypted with key k2: 3 suppliers.bank_account_enc, "
                "3 supplier_applications.bank_account_enc, 1 users.mfa_secret_enc"
                in result.output)
        assert "left on older keys: 0" in result.output
        again = CliRunner().invoke(cli, ["keys", "rotate"])
        assert "with key k2: 0 suppliers.bank_account_enc" in again.output  # idempotent

        for table in ("suppliers", "supplier_applications"):
            sealed = _raw(rotating, table, "bank_account_enc")
            assert len(sealed) == 4 and all(v.startswith("sm4gcm:k2:") for v in sealed)
        assert _raw(rotating, "users", "mfa_secret_enc")[0].startswith("sm4gcm:k2:")
        assert not set(_raw(rotating, "suppliers", "bank_account_hmac")) & set(old_hashes)
        rotating.dispose()

        # the old key is gone: everything still opens, and is found by account
        monkeypatch.delenv("OLTP__FIELD_OLDER_KEYS")
        reset_settings_cache()
        after = Database.from_settings(get_settings())
        with after.read() as session:
            clear = session.execute(select(suppliers.c.bank_account_enc).where(
                suppliers.c.id.in_(supplier_ids)).order_by(suppliers.c.id)).scalars().all()
            totp = session.execute(select(users.c.mfa_secret_enc).where(
                users.c.id == world.users["admin"].user_id)).scalar_one()
            rotations = session.execute(select(audit_log.c.details).where(
                audit_log.c.action == "keys.rotate")).scalars().all()
        after.dispose()
        assert sorted(clear) == sorted([*accounts, "6222027777777777777"])
        assert totp == secret and pyotp.TOTP(totp).at(0) == pyotp.TOTP(secret).at(0)
        assert len(rotations) == 2 and rotations[0]["remaining"][
            "suppliers.bank_account_enc"] == 0
        with TestClient(create_app(get_settings())) as done:
            for account, supplier_id in zip(accounts, supplier_ids, strict=False):
                found = done.get("/api/v1/suppliers", params={"bank_account": account},
                                 headers=world.headers("finance_coal")).json()
                assert [s["id"] for s in found["items"]] == [supplier_id]
    finally:
        rotating.dispose()


def test_a_value_under_an_unknown_key_stops_the_rotation_with_a_message(
        client, world, db, tx_settings, monkeypatch) -> None:
    from grouplake.cli import app as cli
    from infra.settings import reset_settings_cache

    _apply(client, world, ACCOUNT)
    db.dispose()
    monkeypatch.setenv("OLTP__FIELD_ENCRYPTION_KEY", NEW_SECRET)
    monkeypatch.setenv("OLTP__FIELD_KEY_ID", "k2")  # k1 not kept readable
    reset_settings_cache()
    result = CliRunner().invoke(cli, ["keys", "rotate"])
    assert result.exit_code == 1 and "unknown field key 'k1'" in result.output
