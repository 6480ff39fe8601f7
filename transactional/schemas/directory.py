"""Business-unit and supplier bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import RequestModel


class BusinessUnitCreate(RequestModel):
    """A new business unit (group admins)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"code": "COAL", "name": "Coal"}]})

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)


class BusinessUnitPublic(BaseModel):
    code: str
    name: str
    created_at: dt.datetime


class SupplierCreate(RequestModel):
    """A new supplier (admins, procurement); approved on creation."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"id": "GL-COAL-000123", "name": "Shanxi Jinhua Coal Co., Ltd.",
         "credit_code": "91140100MA0GRLAK1X"},
    ]})

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    credit_code: str | None = Field(default=None, min_length=18, max_length=18)


class SupplierPublic(BaseModel):
    id: str
    name: str
    credit_code: str | None
    status: str  # pending | approved | rejected
    created_at: dt.datetime
    city: str | None = None
    settlement_currency: str | None = None
    bank_account: str | None = None  # masked: 6222 **** **** 1234
