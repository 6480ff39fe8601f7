"""Stock observation (``inventory.observed``) and discrepancy bodies."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel

#: The largest count accepted (the stock columns are 32-bit).
MAX_ON_HAND = 2_000_000_000
#: Observations per request.
MAX_BATCH = 500


class ObservationIn(RequestModel):
    """A count of one SKU in one warehouse at ``observed_at``; ``observation_id`` is the
    reading's id at its source (the same id is applied once)."""

    observation_id: str = Field(min_length=1, max_length=128)
    warehouse_id: Id
    sku_id: Id
    on_hand: int = Field(ge=0, le=MAX_ON_HAND)
    observed_at: AwareDatetime
    source: str = Field(default="api", min_length=1, max_length=200)


class ObservationBatch(RequestModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"observations": [{
        "observation_id": "rfid-gate-3:2026-12-07T08:00:00Z:COAL-5500", "warehouse_id": 1, "sku_id": 1,
        "on_hand": 480, "observed_at": "2026-12-07T08:00:00Z", "source": "iot:rfid-gate-3"}]}]})

    observations: list[ObservationIn] = Field(min_length=1, max_length=MAX_BATCH)


class ObservationOutcomePublic(BaseModel):
    observation_id: str
    warehouse_id: int
    sku_id: int
    status: str  # applied | already_applied | stale
    on_hand: int
    available: int
    reserved: int
    delta: int
    discrepancy_id: int | None
    shortfall: int
    order_ids: list[int]


class StockDiscrepancyPublic(BaseModel):
    id: int
    warehouse_id: int
    sku_id: int
    observation_id: str
    observed_at: dt.datetime
    on_hand: int
    reserved: int
    shortfall: int
    order_ids: list[int]
    recorded_at: dt.datetime
