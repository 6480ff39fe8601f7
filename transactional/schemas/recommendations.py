"""Bodies of ``/recommendations`` and ``/skus/{sku_id}/related|suppliers``, and the optional
``from_recommendation`` of an order line."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from infra.http.validators import Id, RequestModel

#: The largest quantity a requisition line may name (``schemas.orders.MAX_QUANTITY``, which
#: imports this module).
MAX_QUANTITY = 100_000_000


class SnapshotRef(BaseModel):
    """The applied decision snapshot a list comes from, and how old it is."""

    version: str = Field(description="content hash of gold.reco_decision_snapshot")
    source: str
    produced_at: dt.datetime
    age_seconds: float


class DroppedPublic(BaseModel):
    """A published item hidden now by the business rules, and why."""

    key: int | str = Field(description="the SKU id (items) or the supplier id (suppliers)")
    reason: Literal["no_offer", "offer_inactive", "supplier_not_approved", "supplier_suspended",
                    "not_orderable_by_unit", "no_stock_no_lead_time"]


class RecommendedItem(BaseModel):
    """A SKU to order, with the offer to order it from."""

    rank: int
    sku_id: int
    sku_code: str
    sku_name: str
    sku_unit: str
    score: float
    reason: str
    offer_id: int
    supplier_id: str
    supplier_name: str
    in_stock: bool
    available_quantity: int
    fulfilment: str = Field(description='"in stock" or "lead time N days"')
    offer_replaced: bool = Field(description="the snapshot's offer cannot be ordered now or is out of stock: "
                                             "another supplier's offer is shown")
    published_rank: int = Field(description="the rank the lake published; `rank` is the position shown once "
                                            "items that cannot be ordered now were dropped and the list topped up")


class SupplierChoice(BaseModel):
    """A supplier to buy the SKU from."""

    rank: int
    supplier_id: str
    supplier_name: str
    offer_id: int
    score: float
    reason_kind: str
    reason: str
    in_stock: bool
    available_quantity: int
    lead_time_days: int | None


class RecommendationList(BaseModel):
    """The caller's recommendations (``audience`` ``unit``: their unit's, they have none yet)."""

    snapshot: SnapshotRef | None = Field(description="null before any snapshot was applied")
    audience: Literal["buyer", "unit"]
    items: list[RecommendedItem]
    dropped: list[DroppedPublic]


class RelatedList(BaseModel):
    """SKUs often ordered with the SKU."""

    sku_id: int
    snapshot: SnapshotRef | None
    items: list[RecommendedItem]
    dropped: list[DroppedPublic]


class SupplierList(BaseModel):
    """Suppliers to buy the SKU from, for the caller's unit."""

    sku_id: int
    business_unit: str | None
    snapshot: SnapshotRef | None
    items: list[SupplierChoice]
    dropped: list[DroppedPublic]


class FromRecommendation(RequestModel):
    """On an order line: the buyer took it from a recommendation (for measuring the uplift)."""

    surface: Literal["recommendations", "related", "suppliers"]
    snapshot_version: str = Field(min_length=1, max_length=64, description="the list's snapshot.version")
    rank: int = Field(ge=1, le=1000, description="the rank shown (for `recommendations`, the service records the "
                                                 "item's `published_rank` of the list in force)")


class RequisitionLineIn(RequestModel):
    """A line of a requisition: a SKU and the quantity wanted."""

    sku_id: Id
    quantity: int = Field(ge=1, le=MAX_QUANTITY)


class RequisitionIn(RequestModel):
    """The lines to find suppliers for (each SKU once)."""

    lines: list[RequisitionLineIn] = Field(min_length=1, max_length=100)

    model_config = ConfigDict(json_schema_extra={"examples": [{"lines": [{"sku_id": 1, "quantity": 200},
                                                                         {"sku_id": 2, "quantity": 50}]}]})


class LineSupplier(SupplierChoice):
    """A supplier for a requisition line."""

    covers_quantity: bool = Field(description="its stock covers the line's quantity now")
    fulfilment: str = Field(description='"in stock" (for the quantity) or "lead time N days"')


class RequisitionLineAdvice(BaseModel):
    """One line: its suppliers best first, and the unit's ranked suppliers hidden now, with why."""

    line_no: int
    sku_id: int
    sku_code: str
    quantity: int
    suppliers: list[LineSupplier]
    dropped: list[DroppedPublic]


class SuggestedSupplierPublic(BaseModel):
    """A supplier of the combined suggestion."""

    supplier_id: str
    supplier_name: str
    line_nos: list[int]
    reason: str


class LineAssignment(BaseModel):
    """Which supplier of the suggestion a line goes to."""

    line_no: int
    sku_id: int
    supplier_id: str
    offer_id: int
    rank: int = Field(description="the supplier's rank among the line's suppliers")
    fulfilment: str


class RequisitionSuggestion(BaseModel):
    """The fewest suppliers covering the most lines."""

    suppliers: list[SuggestedSupplierPublic]
    assignments: list[LineAssignment]
    uncovered_line_nos: list[int] = Field(description="lines no supplier can serve now")
    exact: bool = Field(description="the fewest proven by exhaustive search (false: greedy)")
    reason: str


class RequisitionAdvicePublic(BaseModel):
    """Suppliers for a requisition, for the caller's unit."""

    business_unit: str | None
    snapshot: SnapshotRef | None
    lines: list[RequisitionLineAdvice]
    suggestion: RequisitionSuggestion
