"""``/auth``: the OAuth2 password flow (issues JWTs, audits every attempt), logout (revokes
the caller's tokens) and "who am I"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from infra.http.errors import ErrorBody
from infra.tokens import issue_token
from transactional.api.deps import AppContext, ContextDep, CurrentUser
from transactional.api.errors import RateLimitedError
from transactional.core import audit
from transactional.domain.errors import UnauthenticatedError
from transactional.identity import sessions
from transactional.identity.users import authenticate
from transactional.schemas.auth import PrincipalPublic, TokenPublic
from transactional.schemas.common import ERRORS

router = APIRouter(prefix="/auth", tags=["auth"])


def _authenticate(context: AppContext, username: str, password: str,
                  client: str | None) -> sessions.UserState:
    """Check the password and audit the attempt (success or failure) in its own write."""
    with context.db.read() as session:
        try:
            principal = authenticate(session, username, password)
        except UnauthenticatedError as exc:
            failed, state = exc, sessions.load_state(session, username=username)
        else:
            failed, state = None, sessions.load_state(session, principal.user_id)
    context.db.run_write(lambda s: audit.record_login(s, username, state, failed is None,
                                                      client))
    if failed is not None:
        raise failed
    assert state is not None
    return state


@router.post(
    "/token",
    responses={401: ERRORS[401], 429: {"model": ErrorBody, "description": "Too many attempts"}},
    summary="Log in (OAuth2 password flow) and get a bearer token",
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], context: ContextDep, request: Request
) -> TokenPublic:
    """Exchange a username and password for a signed JWT (form-encoded, as OAuth2 wants).

    Attempts are rate-limited per username (``OLTP__LOGIN_RATE_PER_MINUTE``); every attempt,
    successful or not, is audited (``auth.login`` / ``auth.login_failed``). The token lives
    ``AUTH__TOKEN_TTL_MINUTES`` and stops working at once on logout or when the user is
    disabled or changes role.
    """
    retry = context.login_limiter.hit(f"login:{form.username.lower()}")
    if retry is not None:
        raise RateLimitedError("too many login attempts for this user; wait a moment", retry)
    client = request.client.host if request.client else None
    state = await run_in_threadpool(_authenticate, context, form.username, form.password,
                                    client)
    context.users.put(state.user_id, state)
    ttl = context.settings.auth.token_ttl_minutes
    token = issue_token(
        str(state.user_id), state.role, state.business_unit, state.supplier_id,
        extra_claims={"name": state.username, "ver": state.token_version},
        settings=context.settings,
    )
    return TokenPublic(access_token=token, expires_in=ttl * 60)


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
