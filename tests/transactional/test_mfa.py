"""MFA: TOTP enrolment and verification (frozen clock via pyotp's ``at()``), recovery codes,
enrol-only tokens for roles that need MFA, and every MFA event audited."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pyotp
import pytest
from sqlalchemy import select

from infra.tokens import TokenInvalidError, verify_token
from tests.transactional.factories import PASSWORD
from transactional.db.tables.core import audit_log
from transactional.db.tables.identity import mfa_recovery_codes, users
from transactional.identity import mfa

NOW = dt.datetime(2026, 12, 7, 20, 0, 0, tzinfo=dt.UTC)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login(client, username: str, otp: str | None = None, password: str = PASSWORD):
    data = {"username": username, "password": password}
    if otp is not None:
        data["otp"] = otp
    return client.post("/api/v1/auth/token", data=data)


def _actions(db, user_id: int) -> list[str]:
    with db.read() as session:
        return list(session.execute(select(audit_log.c.action).where(
            audit_log.c.object_id == str(user_id),
            audit_log.c.action.like("mfa.%")).order_by(audit_log.c.id)).scalars())


@pytest.fixture
def enforcing(tx_settings, monkeypatch) -> Iterator[object]:
    """A client whose settings give unenrolled admin / finance / procurement users an
    enrol-only token (the default of every profile but local and ci)."""
    from fastapi.testclient import TestClient

    from infra.settings import get_settings, reset_settings_cache
    from transactional.main import create_app

    monkeypatch.setenv("AUTH__MFA_ENROL_ONLY", "true")
    reset_settings_cache()
    with TestClient(create_app(get_settings())) as test_client:
        yield test_client


def _enrol(client, token: str) -> tuple[pyotp.TOTP, list[str]]:
    started = client.post("/api/v1/auth/mfa/enrol", headers=_bearer(token))
    assert started.status_code == 201, started.text
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/GroupLake:")
    totp = pyotp.TOTP(body["secret"])
    confirmed = client.post("/api/v1/auth/mfa/confirm", json={"code": totp.now()},
                            headers=_bearer(token))
    assert confirmed.status_code == 200, confirmed.text
    return totp, confirmed.json()["recovery_codes"]


def test_an_unenrolled_finance_user_gets_a_token_that_can_only_enrol(
        enforcing, world, db) -> None:
    client = enforcing
    login = _login(client, "finance_coal")
    assert login.status_code == 200 and login.json()["scope"] == "mfa_enrol"
    assert login.json()["expires_in"] == 600 and login.json()["refresh_token"] is None
    token = login.json()["access_token"]
    for path in ("/api/v1/auth/me", "/api/v1/orders"):
        refused = client.get(path, headers=_bearer(token))
        assert refused.status_code == 401 and "issuer" in refused.json()["error"]["message"]
    with pytest.raises(TokenInvalidError, match="issuer"):  # as the serving API verifies
        verify_token(token)
    buyer = _login(client, "buyer_coal").json()
    assert buyer["scope"] == "full"  # buyers are not in AUTH__MFA_REQUIRED_ROLES
    totp, codes = _enrol(client, token)
    assert len(codes) == 10 and len(set(codes)) == 10
    # enrolment revokes the enrol-only token; a password alone no longer logs in
    assert client.post("/api/v1/auth/mfa/enrol", headers=_bearer(token)).status_code == 401
    bare = _login(client, "finance_coal")
    assert bare.status_code == 401 and bare.json()["error"]["code"] == "mfa_required"
    # the code used to confirm is spent; the next step's code logs in, once
    later = totp.at(time.time() + 30)
    full = _login(client, "finance_coal", later)
    assert full.status_code == 200, full.text
    assert full.json()["scope"] == "full" and full.json()["expires_in"] == 3600
    me = client.get("/api/v1/auth/me", headers=_bearer(full.json()["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == "finance_coal"
    replay = _login(client, "finance_coal", later)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "mfa_failed"
    user_id = world.users["finance_coal"].user_id
    assert _actions(db, user_id) == ["mfa.enrol_started", "mfa.enrolled", "mfa.verified",
                                     "mfa.verify_failed"]
    with db.read() as session:
        row = session.execute(select(users.c.mfa_secret_enc).where(users.c.id == user_id)
                              ).scalar_one()  # decrypted by the column type
        raw = session.connection().exec_driver_sql(
            f"select mfa_secret_enc from users where id = {user_id}").scalar_one()
    assert row == totp.secret and raw.startswith("sm4gcm:k1:") and totp.secret not in raw


def test_recovery_codes_work_once_each_and_are_stored_hashed(enforcing, world, db) -> None:
    client = enforcing
    token = _login(client, "admin_coal").json()["access_token"]
    _totp, codes = _enrol(client, token)
    used = _login(client, "admin_coal", codes[3].lower().replace("-", ""))
    assert used.status_code == 200, used.text  # case and dashes do not matter
    again = _login(client, "admin_coal", codes[3])
    assert again.status_code == 401 and again.json()["error"]["code"] == "mfa_failed"
    user_id = world.users["admin_coal"].user_id
    with db.read() as session:
        stored = session.execute(select(mfa_recovery_codes.c.code_hash, mfa_recovery_codes.c.used_at)
                                 .where(mfa_recovery_codes.c.user_id == user_id)).all()
        assert mfa.remaining_recovery_codes(session, user_id) == 9
        details = session.execute(select(audit_log.c.details).where(
            audit_log.c.action == "mfa.recovery_used")).scalar_one()
    assert len(stored) == 10 and sum(r.used_at is not None for r in stored) == 1
    assert not {c.replace("-", "") for c in codes} & {r.code_hash for r in stored}
    assert details["remaining"] == 9 and details["method"] == "recovery"
    assert _actions(db, user_id)[-2:] == ["mfa.recovery_used", "mfa.verify_failed"]


def test_a_wrong_first_code_does_not_enable_mfa_and_is_audited(enforcing, world, db) -> None:
    client = enforcing
    token = _login(client, "procurement_coal").json()["access_token"]
    secret = client.post("/api/v1/auth/mfa/enrol", headers=_bearer(token)).json()["secret"]
    wrong = pyotp.TOTP(secret).at(time.time() - 300)
    refused = client.post("/api/v1/auth/mfa/confirm", json={"code": wrong},
                          headers=_bearer(token))
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "mfa_failed"
    assert client.post("/api/v1/auth/mfa/confirm", json={"code": "12ab56"},
                       headers=_bearer(token)).status_code == 422
    assert _login(client, "procurement_coal").json()["scope"] == "mfa_enrol"  # still
    user_id = world.users["procurement_coal"].user_id
    assert _actions(db, user_id) == ["mfa.enrol_started", "mfa.verify_failed"]


def test_local_profile_gives_unenrolled_users_a_full_token_and_anyone_may_enrol(
        client, world) -> None:
    login = _login(client, "admin_coal")
    assert login.json()["scope"] == "full"
    token = login.json()["access_token"]
    totp, _codes = _enrol(client, token)
    assert client.post("/api/v1/auth/mfa/enrol",
                       headers=_bearer(_login(client, "admin_coal",
                                              totp.at(time.time() + 30)).json()["access_token"])
                       ).json()["error"]["code"] == "mfa_already_enabled"
    buyer = _login(client, "buyer_coal").json()["access_token"]  # opting in is allowed
    _enrol(client, buyer)
    assert _login(client, "buyer_coal").json()["error"]["code"] == "mfa_required"


def test_totp_accepts_one_step_of_drift_and_never_the_same_step_twice(db, world) -> None:
    actor = world.users["finance_power"]
    with db.write() as session:
        secret = mfa.start_enrolment(session, actor, issuer_name="GroupLake")["secret"]
    totp = pyotp.TOTP(secret)
    at = NOW.timestamp()
    with db.write() as session:
        assert mfa.confirm_enrolment(session, actor, totp.at(at - 90), now=NOW) is None
        codes = mfa.confirm_enrolment(session, actor, totp.at(at), now=NOW, recovery_codes=3)
    assert codes is not None and len(codes) == 3

    def verify(code: str, now: dt.datetime) -> str | None:
        with db.write() as session:
            return mfa.verify_second_factor(session, actor, code, now=now, client="t")

    assert verify(totp.at(at), NOW) is None  # the enrolment's step is spent
    assert verify(totp.at(at + 60), NOW) is None  # two steps ahead: too far
    assert verify(totp.at(at + 30), NOW) == "totp"  # one step ahead (clock drift)
    assert verify(totp.at(at + 30), NOW + dt.timedelta(seconds=30)) is None  # replay
    assert verify(totp.at(at), NOW + dt.timedelta(seconds=60)) is None  # older step
    assert verify(totp.at(at + 60), NOW + dt.timedelta(seconds=60)) == "totp"
    assert verify(codes[0], NOW) == "recovery" and verify(codes[0], NOW) is None
    assert _actions(db, actor.user_id) == [
        "mfa.enrol_started", "mfa.verify_failed", "mfa.enrolled", "mfa.verify_failed",
        "mfa.verify_failed", "mfa.verified", "mfa.verify_failed", "mfa.verify_failed",
        "mfa.verified", "mfa.recovery_used", "mfa.verify_failed"]


def test_mfa_roles_come_from_settings(tx_settings, monkeypatch) -> None:
    from infra.settings import get_settings, reset_settings_cache

    assert tx_settings.auth.mfa_required_roles == ["admin", "finance", "procurement"]
    assert tx_settings.mfa_enrol_only is False  # env=local
    monkeypatch.setenv("AUTH__MFA_REQUIRED_ROLES", '["admin"]')
    monkeypatch.setenv("ENV", "staging")
    reset_settings_cache()
    settings = get_settings()
    assert settings.auth.mfa_required_roles == ["admin"] and settings.mfa_enrol_only is True
    assert mfa.requires_mfa("admin", settings.auth.mfa_required_roles)
    assert not mfa.requires_mfa("finance", settings.auth.mfa_required_roles)


def test_an_admin_resets_the_mfa_of_a_user_who_lost_it(client, world, db) -> None:
    from typer.testing import CliRunner

    from grouplake.cli import app as cli
    from transactional.domain.errors import NotFoundError

    token = _login(client, "finance_coal").json()["access_token"]
    totp, _codes = _enrol(client, token)
    full = _login(client, "finance_coal", totp.at(time.time() + 30)).json()["access_token"]
    with db.write() as session, pytest.raises(NotFoundError):
        mfa.reset(session, world.users["admin_power"], "finance_coal")  # another unit
    result = CliRunner().invoke(cli, ["tx", "mfa-reset", "--username", "finance_coal"])
    assert result.exit_code == 0, result.output
    user_id = world.users["finance_coal"].user_id
    client.app.state.context.users.forget(user_id)  # another process: its cache TTL passes
    assert client.get("/api/v1/auth/me", headers=_bearer(full)).status_code == 401  # revoked
    again = _login(client, "finance_coal")
    assert again.status_code == 200 and again.json()["scope"] == "full"  # local profile
    with db.read() as session:
        assert mfa.load_mfa(session, user_id) == mfa.MfaState(False, None, None)
        assert mfa.remaining_recovery_codes(session, user_id) == 0
    assert _actions(db, user_id)[-1] == "mfa.reset"
    missing = CliRunner().invoke(cli, ["tx", "mfa-reset", "--username", "nobody"])
    assert missing.exit_code == 1 and "not_found" in missing.output
