"""Warehouse, stock level and stock adjustment bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel

Reason = Literal[
    "receipt", "count_correction", "damage", "return", "transfer_in", "transfer_out", "other"
]


class WarehouseCreate(RequestModel):
    """A warehouse of the calling supplier."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "WH-TAIYUAN-1", "name": "Taiyuan yard", "city": "Taiyuan",
        "latitude": 37.87, "longitude": 112.55, "handling_cost": "12.00",
        "cost_per_km": "0.35", "currency": "CNY",
    }]})

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    city: str | None = Field(default=None, max_length=100)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    handling_cost: Decimal = Field(default=Decimal(0), ge=0, decimal_places=4)
    cost_per_km: Decimal = Field(default=Decimal(0), ge=0, decimal_places=4)
    currency: str = Field(default="CNY", pattern=r"^[A-Z]{3}$")


class WarehousePublic(BaseModel):
    id: int
    code: str
    name: str
    supplier_id: str
    city: str | None
    latitude: float | None
    longitude: float | None
    handling_cost: Decimal
    cost_per_km: Decimal
    currency: str
    created_at: dt.datetime


class StockLevelPublic(BaseModel):
    """Stock of one SKU in one warehouse."""

    warehouse_id: int
    sku_id: int
    available: int
    reserved: int
    updated_at: dt.datetime


class StockAdjustmentCreate(RequestModel):
    """Add (positive) or remove (negative) available stock, with a reason."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"sku_id": 1, "delta": 500, "reason": "receipt", "note": "rail wagon 4411"},
    ]})

    sku_id: Id
    delta: int = Field(ge=-10_000_000, le=10_000_000)
    reason: Reason
    note: str | None = Field(default=None, max_length=500)


class StockAdjustmentPublic(BaseModel):
    id: int
    warehouse_id: int
    sku_id: int
    delta: int
    reason: str
    note: str | None
    available: int
    reserved: int
    created_at: dt.datetime
