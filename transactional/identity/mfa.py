"""A second factor at login: TOTP (RFC 6238, ``pyotp``) with one-time recovery codes.

* **Enrolment** is two steps: :func:`start_enrolment` draws a secret, stores it sealed with
  the field key (``users.mfa_secret_enc``, SM4-GCM like bank accounts) and returns it with
  its ``otpauth://`` URI once; :func:`confirm_enrolment` checks a first code from the app,
  enables MFA, issues the recovery codes (shown once, stored as SHA-256: they carry 80
  random bits, so a slow KDF adds nothing) and revokes the caller's tokens (an enrol-only
  token is worth nothing after enrolment; log in again with a code).
* **At login** (:func:`verify_second_factor`) a 6-digit code is accepted for the current
  30-second step or the one either side (clock drift), and never twice: the last step
  accepted is stored (``mfa_last_step``), so a code seen over a shoulder cannot be replayed.
  A recovery code (``XXXX-XXXX-XXXX-XXXX``) works once.
* An admin switches it off for a user who lost everything (:func:`reset`,
  ``grouplake tx mfa-reset``); the user enrols again.
* Every event is audited: ``mfa.enrol_started``, ``mfa.enrolled``, ``mfa.verified``,
  ``mfa.verify_failed``, ``mfa.recovery_used``, ``mfa.reset``.

Which roles must use it is a setting (``auth.mfa_required_roles``); :func:`requires_mfa`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import pyotp
from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from transactional.core import audit
from transactional.db.tables.identity import mfa_recovery_codes, users
from transactional.domain.errors import ConflictError, UnauthenticatedError, ValidationFailedError
from transactional.domain.principal import Principal, Role, not_found

STEP_S = 30
DRIFT_STEPS = 1  # a code of the step before or after now is accepted too
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def requires_mfa(role: str, required_roles: Collection[str]) -> bool:
    """Whether users of ``role`` must pass a second factor (``auth.mfa_required_roles``)."""
    return role in required_roles


@dataclass(frozen=True)
class MfaState:
    """A user's second factor: enrolled or not, and its secret when there is one."""

    enabled: bool
    secret: str | None
    last_step: int | None


def load_mfa(session: Session, user_id: int) -> MfaState:
    """The MFA state of a user (``enabled=False`` when absent or not confirmed)."""
    row = session.execute(select(users.c.mfa_secret_enc, users.c.mfa_enabled_at,
                                 users.c.mfa_last_step).where(users.c.id == user_id)).first()
    if row is None:
        return MfaState(False, None, None)
    return MfaState(row.mfa_enabled_at is not None, row.mfa_secret_enc, row.mfa_last_step)


def _step(now: dt.datetime) -> int:
    return int(now.timestamp()) // STEP_S


def _matching_step(secret: str, code: str, now: dt.datetime) -> int | None:
    """The time step (now ± drift) whose TOTP is ``code``, None when none is."""
    totp = pyotp.TOTP(secret, interval=STEP_S)
    step = _step(now)
    for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.at(candidate * STEP_S), code):
            return candidate
    return None


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


def _recovery_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def start_enrolment(session: Session, actor: Principal, *, issuer_name: str) -> dict[str, Any]:
    """Draw a TOTP secret for the caller and store it sealed (not active until confirmed).

    Starting again before confirming replaces the secret.

    Returns:
        ``{"secret", "otpauth_uri"}``: shown once, for the authenticator app.

    Raises:
        ConflictError: MFA is already enabled (``mfa_already_enabled``).
    """
    if load_mfa(session, actor.user_id).enabled:
        raise ConflictError("MFA is already enabled for this user", code="mfa_already_enabled")
    secret = pyotp.random_base32()
    session.execute(update(users).where(users.c.id == actor.user_id)
                    .values(mfa_secret_enc=secret, mfa_last_step=None))
    audit.record(session, actor, "mfa.enrol_started", "user", actor.user_id,
                 business_unit=actor.business_unit)
    uri = pyotp.TOTP(secret, interval=STEP_S).provisioning_uri(
        name=actor.username or str(actor.user_id), issuer_name=issuer_name)
    return {"secret": secret, "otpauth_uri": uri}


def confirm_enrolment(session: Session, actor: Principal, code: str, *, now: dt.datetime,
                      recovery_codes: int = 10) -> list[str] | None:
    """Enable MFA with a first code from the app; revokes the caller's tokens.

    Returns:
        The recovery codes (shown once), or None when the code is wrong: the failure is
        audited (``mfa.verify_failed``) and the caller commits it, then refuses.

    Raises:
        ConflictError: already enabled; ValidationFailedError: enrolment not started.
    """
    state = load_mfa(session, actor.user_id)
    if state.enabled:
        raise ConflictError("MFA is already enabled for this user", code="mfa_already_enabled")
    if state.secret is None:
        raise ValidationFailedError("start MFA enrolment first (POST /auth/mfa/enrol)")
    step = _matching_step(state.secret, code.strip(), now)
    if step is None:
        audit.record(session, actor, "mfa.verify_failed", "user", actor.user_id,
                     business_unit=actor.business_unit, details={"stage": "enrolment"})
        return None
    session.execute(update(users).where(users.c.id == actor.user_id).values(
        mfa_enabled_at=now, mfa_last_step=step, token_version=users.c.token_version + 1))
    codes = [_recovery_code() for _ in range(recovery_codes)]
    session.execute(insert(mfa_recovery_codes), [
        {"user_id": actor.user_id, "code_hash": _code_hash(c), "created_at": now}
        for c in codes])
    audit.record(session, actor, "mfa.enrolled", "user", actor.user_id,
                 business_unit=actor.business_unit, details={"recovery_codes": len(codes)})
    return codes


def verify_second_factor(session: Session, actor: Principal, code: str, *,
                         now: dt.datetime, client: str | None) -> str | None:
    """Check a login's second factor (TOTP or a recovery code) and audit the outcome.

    Returns:
        ``"totp"`` or ``"recovery"`` when accepted (the step or the code is then spent),
        None when refused (audited ``mfa.verify_failed``; the caller commits, then refuses).
    """
    state = load_mfa(session, actor.user_id)
    if not state.enabled or state.secret is None:
        raise UnauthenticatedError("MFA is not enabled for this user")
    code = code.strip()
    details: dict[str, Any] = {"client": client}
    if code.isdigit():
        step = _matching_step(state.secret, code, now)
        if step is not None and (state.last_step is None or step > state.last_step):
            spent = session.execute(update(users).where(
                users.c.id == actor.user_id,
                (users.c.mfa_last_step.is_(None)) | (users.c.mfa_last_step < step),
            ).values(mfa_last_step=step)).rowcount
            if spent == 1:  # a concurrent login did not take the same step first
                audit.record(session, actor, "mfa.verified", "user", actor.user_id,
                             business_unit=actor.business_unit,
                             details={**details, "method": "totp"})
                return "totp"
        details["reason"] = "reused code" if step is not None else "wrong code"
    else:
        used = session.execute(update(mfa_recovery_codes).where(
            mfa_recovery_codes.c.user_id == actor.user_id,
            mfa_recovery_codes.c.code_hash == _code_hash(code),
            mfa_recovery_codes.c.used_at.is_(None),
        ).values(used_at=now)).rowcount
        if used == 1:
            left = remaining_recovery_codes(session, actor.user_id)
            audit.record(session, actor, "mfa.recovery_used", "user", actor.user_id,
                         business_unit=actor.business_unit,
                         details={**details, "method": "recovery", "remaining": left})
            return "recovery"
        details["reason"] = "unknown or used recovery code"
    audit.record(session, actor, "mfa.verify_failed", "user", actor.user_id,
                 business_unit=actor.business_unit, details={**details, "stage": "login"})
    return None


def reset(session: Session, actor: Principal, username: str) -> int:
    """Switch a user's MFA off (lost device and recovery codes): the secret and the unused
    recovery codes are dropped and the user's tokens revoked; they enrol again at their
    next login. Admins only, within their unit; audited ``mfa.reset``.

    Returns:
        The user's id.

    Raises:
        ForbiddenError (not an admin), NotFoundError (absent or outside the admin's unit).
    """
    actor.require(Role.ADMIN)
    row = session.execute(select(users.c.id, users.c.business_unit)
                          .where(users.c.username == username)).first()
    if row is None or not actor.can_see_business_unit(row.business_unit):
        raise not_found("user", username)
    session.execute(update(users).where(users.c.id == row.id).values(
        mfa_secret_enc=None, mfa_enabled_at=None, mfa_last_step=None,
        token_version=users.c.token_version + 1))
    session.execute(delete(mfa_recovery_codes).where(mfa_recovery_codes.c.user_id == row.id))
    audit.record(session, actor, "mfa.reset", "user", row.id, business_unit=row.business_unit,
                 details={"username": username})
    return int(row.id)


def remaining_recovery_codes(session: Session, user_id: int) -> int:
    """How many unused recovery codes a user has left."""
    rows = session.execute(select(mfa_recovery_codes.c.id).where(
        mfa_recovery_codes.c.user_id == user_id, mfa_recovery_codes.c.used_at.is_(None)))
    return len(rows.all())


def principal_of_state(state: Any) -> Principal:
    """The principal a :class:`~transactional.identity.sessions.UserState` acts as."""
    return Principal(state.user_id, Role(state.role), state.business_unit, state.supplier_id,
                     state.username)
