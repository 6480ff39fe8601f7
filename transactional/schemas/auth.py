"""Login and identity bodies."""

from __future__ import annotations

from pydantic import BaseModel


class TokenPublic(BaseModel):
    """An OAuth2 bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int


class PrincipalPublic(BaseModel):
    """Who the presented credentials act as."""

    user_id: int
    username: str | None
    role: str
    business_unit: str | None
    supplier_id: str | None
