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
from transactional.identity.users import resolve_api_key

TOKEN_URL = "/api/v1/auth/token"


@dataclass
class AppContext:
    """Everything a request handler needs that lives as long as the app."""

    settings: Settings
    db: Database
    login_limiter: GcraLimiter
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
        try:
            claims = verify_token(token, settings=context.settings)
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
        principal = sessions.principal_for(state, claims.role, claims.business_unit,
                                           claims.supplier_id, claims.extra.get("ver", 0))
    elif api_key:
        principal = await run_in_threadpool(_lookup_key, context.db, api_key)
    else:
        raise UnauthenticatedError("not authenticated: send a Bearer token or an X-API-Key")
    request.state.principal = principal  # who a refusal (403) is audited against
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def page_request(
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, description="page size; capped by the server")] = 50,
    offset: Annotated[Offset, Query()] = 0,
) -> PageRequest:
    return PageRequest.capped(limit, offset, default=50,
                              maximum=context.settings.oltp.max_page_size)


PageDep = Annotated[PageRequest, Depends(page_request)]
