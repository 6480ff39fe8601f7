"""``/auth``: the OAuth2 password flow (issues JWTs) and "who am I"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.security import OAuth2PasswordRequestForm
from starlette.concurrency import run_in_threadpool

from infra.http.errors import ErrorBody
from infra.tokens import issue_token
from transactional.api.deps import ContextDep, CurrentUser
from transactional.api.errors import RateLimitedError
from transactional.identity.users import authenticate
from transactional.schemas.auth import PrincipalPublic, TokenPublic
from transactional.schemas.common import ERRORS

router = APIRouter(prefix="/auth", tags=["auth"])


def _authenticate(context: ContextDep, username: str, password: str):
    with context.db.read() as session:
        return authenticate(session, username, password)


@router.post(
    "/token",
    responses={401: ERRORS[401], 429: {"model": ErrorBody, "description": "Too many attempts"}},
    summary="Log in (OAuth2 password flow) and get a bearer token",
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], context: ContextDep
) -> TokenPublic:
    """Exchange a username and password for a signed JWT (form-encoded, as OAuth2 wants).

    Attempts are rate-limited per username (``OLTP__LOGIN_RATE_PER_MINUTE``).
    """
    retry = context.login_limiter.hit(f"login:{form.username.lower()}")
    if retry is not None:
        raise RateLimitedError("too many login attempts for this user; wait a moment", retry)
    principal = await run_in_threadpool(_authenticate, context, form.username, form.password)
    ttl = context.settings.auth.token_ttl_minutes
    token = issue_token(
        str(principal.user_id), principal.role.value, principal.business_unit,
        principal.supplier_id, extra_claims={"name": principal.username},
        settings=context.settings,
    )
    return TokenPublic(access_token=token, expires_in=ttl * 60)


@router.get("/me", responses={401: ERRORS[401]}, summary="Who the credentials act as")
async def me(user: CurrentUser) -> PrincipalPublic:
    return PrincipalPublic(user_id=user.user_id, username=user.username, role=user.role.value,
                           business_unit=user.business_unit, supplier_id=user.supplier_id)
