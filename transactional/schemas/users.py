"""User and API-key bodies. Role and business unit are set here, by admins, only."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import RequestModel


class UserCreate(RequestModel):
    """A new user (admins only)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"username": "li.na", "password": "a-long-passphrase", "role": "buyer",
         "business_unit": "COAL"},
    ]})

    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    role: str
    business_unit: str | None = None
    supplier_id: str | None = None


class UserPublic(BaseModel):
    """A user, without secrets."""

    id: int
    username: str
    role: str
    business_unit: str | None
    supplier_id: str | None
    is_active: bool
    created_at: dt.datetime


class ApiKeyCreate(RequestModel):
    """A new API key for a system acting as a user."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "erp-sync"}]})

    name: str = Field(min_length=1, max_length=100)


class ApiKeyPublic(BaseModel):
    """An API key's metadata (never the secret)."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyPublic):
    """The key as created: ``secret`` is shown this once; send it as ``X-API-Key``."""

    secret: str
