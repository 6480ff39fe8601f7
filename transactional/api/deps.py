"""Dependencies declared once and reused by every router (``Annotated`` aliases).

* :data:`ContextDep` — settings, database and limiters of this app instance.
* :data:`CurrentUser` — the authenticated :class:`Principal`, from ``Authorization: Bearer``
  (a JWT verified by ``infra.tokens``, its user re-checked through a small cache) or
  ``X-API-Key`` (looked up, revocable).
* :data:`PageDep` — ``limit``/``offset`` with ``limit`` capped at ``oltp.max_page_size``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import APIKeyHeader, OAuth2PasswordBearer
from starlette.concurrency import run_in_threadpool

from infra.http.pages import Offset, PageRequest
from infra.http.validators import MAX_ID
from infra.settings import Settings
from infra.tokens import TokenError, TokenExpiredError, verify_token
from transactional.api.ratelimit import GcraLimiter
from transactional.core.policy import CommercePolicy
from transactional.db.database import Database
from transactional.domain.errors import UnauthenticatedError
from transactional.domain.principal import Principal
from transactional.identity import sessions
from transactional.identity.lockout import LoginGuard
from transactional.identity.users import resolve_api_key

TOKEN_URL = "/api/v1/auth/token"
#: What an enrol-only token (MFA required, not set up yet) carries; ``infra.tokens`` issues
#: it under another issuer, so no verifier but :data:`EnrollingUser` accepts it.
ENROL_SCOPE = "mfa_enrol"


#: The scope of refresh tokens (issued under ``<issuer>/refresh``: no route takes one as an
#: access token).
REFRESH_SCOPE = "refresh"


def enrol_issuer(context: AppContext) -> str:
    """The issuer of enrol-only tokens."""
    return f"{context.settings.auth.issuer}/{ENROL_SCOPE}"


def refresh_issuer(context: AppContext) -> str:
    """The issuer of refresh tokens."""
    return f"{context.settings.auth.issuer}/{REFRESH_SCOPE}"


async def refresh_principal(context: AppContext, token: str) -> tuple[Principal, int]:
    """The user a refresh token still acts for (same checks as an access token: exists,
    active, same role and scope, not revoked by logout / disable), and its token version.

    Raises:
        UnauthenticatedError: a bad, expired or revoked refresh token (HTTP 401).
    """
    principal = await _token_principal(context, token, refresh_issuer(context))
    claims = verify_token(token, settings=context.settings, issuer=refresh_issuer(context))
    return principal, int(claims.extra.get("ver", 0))


@dataclass
class AppContext:
    """Everything a request handler needs that lives as long as the app."""

    settings: Settings
    db: Database
    login_guard: LoginGuard
    order_limiter: GcraLimiter
    policy: CommercePolicy
    users: sessions.UserCache


async def get_context(request: Request) -> AppContext:
    # async: a plain ``def`` dependency would cost a threadpool hop on every request
    return request.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]

_bearer = OAuth2PasswordBearer(tokenUrl=TOKEN_URL, auto_error=False)
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False,
                        description="An API key minted by an admin, for systems")


def _load_user(db: Database, user_id: int) -> sessions.UserState | None:
    with db.read() as session:
        return sessions.load_state(session, user_id)


def _lookup_key(db: Database, secret: str) -> Principal:
    with db.read() as session:
        return resolve_api_key(session, secret)


async def current_principal(
    request: Request,
    context: ContextDep,
    token: Annotated[str | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key)],
) -> Principal:
    """Authenticate the request: verify the token, then re-check its user (exists, active,
    same role and scope, token not revoked; ``identity/sessions.py``).

    Raises:
        UnauthenticatedError: no credentials, or bad / expired / revoked ones (HTTP 401).
    """
    if token:
        principal = await _token_principal(context, token, context.settings.auth.issuer)
    elif api_key:
        principal = await run_in_threadpool(_lookup_key, context.db, api_key)
    else:
        raise UnauthenticatedError("not authenticated: send a Bearer token or an X-API-Key")
    request.state.principal = principal  # who a refusal (403) is audited against
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def _token_principal(context: AppContext, token: str, issuer: str) -> Principal:
    try:
        claims = verify_token(token, settings=context.settings, issuer=issuer)
    except TokenExpiredError as exc:
        raise UnauthenticatedError("token has expired; log in again") from exc
    except TokenError as exc:
        raise UnauthenticatedError(str(exc)) from exc
    try:
        user_id = int(claims.sub)
    except ValueError as exc:
        raise UnauthenticatedError("token subject is not a user of this service") from exc
    if not 1 <= user_id <= MAX_ID:
        raise UnauthenticatedError("token subject is not a user of this service")
    hit, state = context.users.get(user_id)
    if not hit:
        state = await run_in_threadpool(_load_user, context.db, user_id)
        context.users.put(user_id, state)
    return sessions.principal_for(state, claims.role, claims.business_unit,
                                  claims.supplier_id, claims.extra.get("ver", 0))


async def enrolling_principal(
    request: Request,
    context: ContextDep,
    token: Annotated[str | None, Depends(_bearer)],
) -> Principal:
    """The caller of an MFA enrolment endpoint: a full token or an enrol-only one (users
    whose role needs MFA get only that until they enrol). API keys do not enrol.

    Raises:
        UnauthenticatedError: no bearer token, or a bad / expired / revoked one.
    """
    if not token:
        raise UnauthenticatedError("not authenticated: send a Bearer token")
    try:
        principal = await _token_principal(context, token, enrol_issuer(context))
    except UnauthenticatedError:
        principal = await _token_principal(context, token, context.settings.auth.issuer)
    request.state.principal = principal
    return principal


EnrollingUser = Annotated[Principal, Depends(enrolling_principal)]


async def page_request(
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, description="page size; capped by the server")] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> PageRequest:
    return PageRequest.capped(limit, offset, default=50,
                              maximum=context.settings.oltp.max_page_size)


PageDep = Annotated[PageRequest, Depends(page_request)]
