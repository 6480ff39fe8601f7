"""Supplier standing and elimination-list override bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import RequestModel


class OverrideCreate(RequestModel):
    """Exempt a suspended supplier from enforcement until ``expires_at`` (a second user confirms)."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"reason": "sole qualified source of 6000 kcal coal until the tender closes",
         "expires_at": "2027-01-31T00:00:00Z"}]})

    reason: str = Field(min_length=3, max_length=1000)
    expires_at: dt.datetime


class OverridePublic(BaseModel):
    id: int
    supplier_id: str
    business_unit: str | None  # None: group-wide
    reason: str
    status: str  # pending | active | expired | revoked
    expires_at: dt.datetime
    requested_by: int
    requested_at: dt.datetime
    confirmed_by: int | None
    confirmed_at: dt.datetime | None
    revoked_by: int | None
    revoked_at: dt.datetime | None


class SupplierStandingPublic(BaseModel):
    """Whether a supplier may receive new orders, and why not."""

    supplier_id: str
    status: str  # good | suspended | overridden
    enforced: bool
    orderable: bool
    reason: str | None
    weakest_metrics: str | None
    scorecard_month: str | None
    since: dt.datetime | None
    snapshot_version: str | None
    snapshot_produced_at: dt.datetime | None
    snapshot_age_seconds: float | None
    active_override: OverridePublic | None
    overrides: list[OverridePublic]
