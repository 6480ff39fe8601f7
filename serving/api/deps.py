"""Dependencies declared once and reused by every router (``Annotated`` aliases).

* :data:`ContextDep` — settings, the snapshot store and the token verifier of this app.
* :data:`ViewerDep` — the authenticated caller (``Authorization: Bearer <JWT>``).
* :data:`PageDep` — ``limit``/``offset``, ``limit`` capped at ``serving.max_page_size``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from infra.http.pages import Offset, PageRequest
from infra.settings import Settings
from serving.access import Viewer
from serving.auth import TokenVerifier
from serving.snapshot.store import SnapshotStore


@dataclass
class AppContext:
    """Everything a request handler needs that lives as long as the app."""

    settings: Settings
    store: SnapshotStore
    tokens: TokenVerifier


async def get_context(request: Request) -> AppContext:
    # async: a plain ``def`` dependency would cost a threadpool hop on every request
    return request.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]

_bearer = HTTPBearer(auto_error=False, description="A token of the transactional API "
                     "(`POST /api/v1/auth/token` there) or `grouplake serving token`")


async def current_viewer(
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Viewer:
    """Authenticate the request (401 without a valid token)."""
    return context.tokens.viewer(credentials.credentials if credentials else None)


ViewerDep = Annotated[Viewer, Depends(current_viewer)]


async def page_request(
    context: ContextDep,
    limit: Annotated[int | None, Query(ge=1, description="page size; capped by the server")] = None,
    offset: Annotated[Offset, Query()] = 0,
) -> PageRequest:
    serving = context.settings.serving
    return PageRequest.capped(limit, offset, default=serving.default_page_size,
                              maximum=serving.max_page_size)


PageDep = Annotated[PageRequest, Depends(page_request)]
