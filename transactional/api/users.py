"""``/users``: accounts and their API keys (admins; a unit admin within its unit)."""

from __future__ import annotations

from fastapi import APIRouter, status

from infra.http.pages import Page
from infra.http.validators import Id
from transactional.api.deps import ContextDep, CurrentUser, PageDep
from transactional.identity import sessions, users
from transactional.schemas.common import CONFLICT, ERRORS
from transactional.schemas.users import ApiKeyCreate, ApiKeyCreated, UserCreate, UserPublic

router = APIRouter(prefix="/users", tags=["users"], responses=ERRORS)


@router.post("", status_code=status.HTTP_201_CREATED, responses={409: CONFLICT})
def create_user(body: UserCreate, context: ContextDep, user: CurrentUser) -> UserPublic:
    """Create a user with a role and business unit (the only body that may carry them)."""
    record = context.db.run_write(lambda s: users.create_user(
        s, user, username=body.username, password=body.password, role=body.role,
        business_unit=body.business_unit, supplier_id=body.supplier_id))
    return UserPublic(**record)


@router.get("")
def list_users(context: ContextDep, user: CurrentUser, page: PageDep) -> Page[UserPublic]:
    with context.db.read() as session:
        result = users.list_users(session, user, page)
    return Page[UserPublic](**result.__dict__)


@router.get("/{user_id}")
def get_user(user_id: Id, context: ContextDep, user: CurrentUser) -> UserPublic:
    """Yourself, or a user of the unit you administer."""
    with context.db.read() as session:
        return UserPublic(**users.get_user(session, user, user_id))


@router.post("/{user_id}/api-keys", status_code=status.HTTP_201_CREATED)
def create_api_key(
    user_id: Id, body: ApiKeyCreate, context: ContextDep, user: CurrentUser
) -> ApiKeyCreated:
    """Mint an API key acting as ``user_id``; the secret is returned once."""
    record, secret = context.db.run_write(
        lambda s: users.create_api_key(s, user, user_id, body.name))
    return ApiKeyCreated(**record, secret=secret)


@router.delete("/{user_id}/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_api_key(user_id: Id, key_id: Id, context: ContextDep, user: CurrentUser) -> None:
    context.db.run_write(lambda s: users.revoke_api_key(s, user, user_id, key_id))


@router.post("/{user_id}/disable")
def disable_user(user_id: Id, context: ContextDep, user: CurrentUser) -> UserPublic:
    """Disable an account (admins, within their unit): its tokens stop working at once on
    this server and within ``AUTH__USER_CACHE_TTL_S`` seconds on others; its API keys too.
    Audited."""
    record = context.db.run_write(lambda s: sessions.set_active(s, user, user_id, False))
    context.users.forget(user_id)
    return UserPublic(**record)


@router.post("/{user_id}/enable")
def enable_user(user_id: Id, context: ContextDep, user: CurrentUser) -> UserPublic:
    """Re-enable an account (admins, within their unit); it logs in again. Audited."""
    record = context.db.run_write(lambda s: sessions.set_active(s, user, user_id, True))
    context.users.forget(user_id)
    return UserPublic(**record)
