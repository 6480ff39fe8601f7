"""Sourcing plan bodies (#16): a requisition to solve."""

from __future__ import annotations

import datetime as dt

from pydantic import Field

from infra.http.validators import Id, RequestModel


class PlanLineCreate(RequestModel):
    """At least ``quantity`` units of SKU ``sku_id`` delivered by ``need_by``."""

    sku_id: Id
    quantity: int = Field(ge=1, le=10_000_000)
    need_by: dt.date


class ShipTo(RequestModel):
    """Delivery point, for the router's freight formula (distance 0 without one)."""

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class PlanCreate(RequestModel):
    """A requisition: lines (one per SKU), an optional delivery point and optional caps."""

    lines: list[PlanLineCreate] = Field(min_length=1, max_length=100)
    ship_to: ShipTo | None = None
    max_suppliers: int | None = Field(default=None, ge=1, le=1000)
    max_suppliers_per_line: int | None = Field(default=None, ge=1, le=1000)
    max_share: float | None = Field(default=None, gt=0, le=1)
    min_score: float | None = Field(default=None, ge=0, le=100)  # served scores; unscored pass
