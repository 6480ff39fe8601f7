"""``/auth``: the OAuth2 password flow with a second factor (issues JWTs, audits every
attempt, throttles guessing), MFA enrolment, logout (revokes the caller's tokens) and
"who am I"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from infra.http.errors import ErrorBody
from infra.tokens import issue_token
from transactional.api.deps import (
    ENROL_SCOPE,
    REFRESH_SCOPE,
    AppContext,
    ContextDep,
    CurrentUser,
    EnrollingUser,
    enrol_issuer,
    refresh_issuer,
    refresh_principal,
)
from transactional.api.errors import RateLimitedError
from transactional.core import audit
from transactional.db.types import utcnow
from transactional.domain.errors import UnauthenticatedError
from transactional.domain.principal import Principal
from transactional.identity import mfa, sessions
from transactional.identity.users import authenticate
from transactional.schemas.auth import (
    MfaCodeIn,
    MfaEnrolmentPublic,
    MfaRecoveryCodesPublic,
    PrincipalPublic,
    RefreshIn,
    TokenScoped,
)
from transactional.schemas.common import CONFLICT, ERRORS

router = APIRouter(prefix="/auth", tags=["auth"])

#: How long an enrol-only token lives (it can do nothing but enrol).
ENROL_TTL = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class _Login:
    state: sessions.UserState
    enrol_only: bool


def _refuse(context: AppContext, username: str, state: sessions.UserState | None,
            client: str | None, error: UnauthenticatedError, reason: str) -> None:
    """Audit a failed attempt, count it against the (username, client) pair, raise."""
    lock = context.login_guard.failed(username, client)
    facts = {"reason": reason, **({"locked_for_s": lock} if lock else {})}
    context.db.run_write(lambda s: audit.record_login(s, username, state, False, client,
                                                      **facts))
    raise error


def _authenticate(context: AppContext, username: str, password: str, otp: str | None,
                  client: str | None) -> _Login:
    """Check the password, then the second factor when the user has one; audit it all."""
    with context.db.read() as session:
        try:
            principal = authenticate(session, username, password)
        except UnauthenticatedError as exc:
            failed, state = exc, sessions.load_state(session, username=username)
            second = None
        else:
            failed, state = None, sessions.load_state(session, principal.user_id)
            second = mfa.load_mfa(session, principal.user_id)
    if failed is not None:
        _refuse(context, username, state, client, failed, "credentials")
    assert state is not None and second is not None
    actor = mfa.principal_of_state(state)
    method = None
    if second.enabled:
        if not otp:
            _refuse(context, username, state, client, UnauthenticatedError(
                "this account needs a one-time code: send it in the `otp` field",
                code="mfa_required"), "second factor missing")
        now = utcnow()
        method = context.db.run_write(lambda s: mfa.verify_second_factor(
            s, actor, otp or "", now=now, client=client))
        if method is None:
            _refuse(context, username, state, client, UnauthenticatedError(
                "incorrect or already used one-time code", code="mfa_failed"),
                "second factor")
    enrol_only = (not second.enabled and context.settings.mfa_enrol_only
                  and mfa.requires_mfa(state.role, context.settings.auth.mfa_required_roles))
    context.login_guard.succeeded(username, client)
    context.db.run_write(lambda s: audit.record_login(
        s, username, state, True, client, mfa=method,
        scope=ENROL_SCOPE if enrol_only else "full"))
    return _Login(state, enrol_only)


@router.post(
    "/token",
    responses={401: ERRORS[401], 429: {"model": ErrorBody, "description": "Too many attempts"}},
    summary="Log in (OAuth2 password flow, plus a one-time code) and get a bearer token",
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], context: ContextDep, request: Request,
    otp: Annotated[str | None, Form(max_length=32, description=(
        "a TOTP code from the authenticator app, or a recovery code; required once the "
        "user has enrolled MFA"))] = None,
) -> TokenScoped:
    """Exchange a username, password and (when enrolled) a one-time code for a signed JWT.

    Guessing is throttled per (username, client address) with exponential backoff after
    ``OLTP__LOGIN_FREE_FAILURES`` failures, and per client address
    (``OLTP__LOGIN_IP_RATE_PER_MINUTE``); neither lets a stranger lock the real user out
    (``identity/lockout.py``). Every attempt is audited (``auth.login`` /
    ``auth.login_failed``, ``mfa.*``). A user whose role needs MFA
    (``AUTH__MFA_REQUIRED_ROLES``) and has not enrolled gets a 10-minute token of scope
    ``mfa_enrol`` that only the ``/auth/mfa`` endpoints accept. A full token lives
    ``AUTH__TOKEN_TTL_MINUTES`` and stops working at once on logout or when the user is
    disabled or changes role.
    """
    client = request.client.host if request.client else None
    refusal = context.login_guard.check(form.username, client)
    if refusal is not None:
        raise RateLimitedError("too many failed login attempts from here; wait before trying"
                               " again", refusal.retry_after_s)
    found = await run_in_threadpool(_authenticate, context, form.username, form.password,
                                    otp, client)
    state = found.state
    context.users.put(state.user_id, state)
    claims = {"name": state.username, "ver": state.token_version}
    if found.enrol_only:
        token = issue_token(str(state.user_id), state.role, state.business_unit,
                            state.supplier_id, ENROL_TTL, settings=context.settings,
                            extra_claims={**claims, "scope": ENROL_SCOPE},
                            issuer=enrol_issuer(context))
        return TokenScoped(access_token=token, expires_in=int(ENROL_TTL.total_seconds()),
                           scope=ENROL_SCOPE)
    return _full_tokens(context, state.user_id, state.role, state.business_unit,
                        state.supplier_id, claims, refresh=True)


def _full_tokens(context: AppContext, user_id: int, role: str, business_unit: str | None,
                 supplier_id: str | None, claims: dict, *, refresh: bool) -> TokenScoped:
    """An access token, and a refresh token when asked and ``AUTH__REFRESH_TTL_MINUTES``."""
    auth = context.settings.auth
    access = issue_token(str(user_id), role, business_unit, supplier_id,
                         extra_claims=claims, settings=context.settings)
    tokens = TokenScoped(access_token=access, expires_in=auth.token_ttl_minutes * 60)
    if refresh and auth.refresh_ttl_minutes > 0:
        lifetime = dt.timedelta(minutes=auth.refresh_ttl_minutes)
        tokens.refresh_token = issue_token(
            str(user_id), role, business_unit, supplier_id, lifetime,
            extra_claims={**claims, "scope": REFRESH_SCOPE}, settings=context.settings,
            issuer=refresh_issuer(context))
        tokens.refresh_expires_in = int(lifetime.total_seconds())
    return tokens


@router.post("/refresh", responses={401: ERRORS[401], 422: ERRORS[422]},
             summary="Trade a refresh token for a new access token")
async def refresh(body: RefreshIn, context: ContextDep) -> TokenScoped:
    """A new access token for the user of a refresh token, while it lives
    (``AUTH__REFRESH_TTL_MINUTES``) and is not revoked: logout, disabling the user or a role
    change revoke refresh tokens with the access tokens (``token_version``). The user is
    re-checked as on every request; the refresh token itself is returned unchanged."""
    user, version = await refresh_principal(context, body.refresh_token)
    return _full_tokens(context, user.user_id, user.role.value, user.business_unit,
                        user.supplier_id, {"name": user.username, "ver": version},
                        refresh=False)


@router.post("/mfa/enrol", status_code=status.HTTP_201_CREATED,
             responses={401: ERRORS[401], 409: CONFLICT},
             summary="Start MFA enrolment: a new TOTP secret for your authenticator app")
def start_mfa(context: ContextDep, user: EnrollingUser) -> MfaEnrolmentPublic:
    """Draw a TOTP secret (shown once; stored encrypted). Confirm it with a first code at
    ``POST /auth/mfa/confirm``; starting again before that replaces it (audited)."""
    issuer = context.settings.auth.mfa_issuer_name
    return MfaEnrolmentPublic(**context.db.run_write(
        lambda s: mfa.start_enrolment(s, user, issuer_name=issuer)))


def _confirm(context: AppContext, user: Principal, code: str) -> list[str]:
    now, count = utcnow(), context.settings.auth.mfa_recovery_codes
    codes = context.db.run_write(lambda s: mfa.confirm_enrolment(
        s, user, code, now=now, recovery_codes=count))
    if codes is None:
        raise UnauthenticatedError("incorrect one-time code", code="mfa_failed")
    context.users.forget(user.user_id)
    return codes


@router.post("/mfa/confirm", responses={401: ERRORS[401], 409: CONFLICT,
                                        422: ERRORS[422]},
             summary="Confirm MFA enrolment with a first code; get recovery codes")
def confirm_mfa(body: MfaCodeIn, context: ContextDep,
                user: EnrollingUser) -> MfaRecoveryCodesPublic:
    """Enable MFA and return the one-time recovery codes (shown once). Every token of the
    caller is revoked: log in again with a code (audited ``mfa.enrolled``)."""
    return MfaRecoveryCodesPublic(recovery_codes=_confirm(context, user, body.code))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses={401: ERRORS[401]},
             summary="Revoke every token of the caller")
def logout(context: ContextDep, user: CurrentUser) -> Response:
    """Log out everywhere: every token issued to you so far stops working (audited)."""
    context.db.run_write(lambda s: sessions.logout(s, user))
    context.users.forget(user.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", responses={401: ERRORS[401]}, summary="Who the credentials act as")
async def me(user: CurrentUser) -> PrincipalPublic:
    return PrincipalPublic(user_id=user.user_id, username=user.username, role=user.role.value,
                           business_unit=user.business_unit, supplier_id=user.supplier_id)
