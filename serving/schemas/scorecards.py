"""Scorecards: the served document, summaries for lists, rankings, the elimination list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class MetricPublic(BaseModel):
    """One metric of a scorecard."""

    metric: str = Field(examples=["on_time_delivery_rate"])
    group: str = Field(description="quality, delivery, price, service (other: not in a group)")
    value: float | None = Field(None, description="The metric over the trailing window")
    score: float | None = Field(None, description="0-100 percentile among the peers (ranked suppliers)")
    definition: str | None = Field(None, description="How it is computed (the mart's column doc); "
                                   "on history pages the definitions are given once, at the top")


class RankingPublic(BaseModel):
    """Where the supplier stands in its month."""

    is_ranked: bool | None = None
    unranked_reason: str | None = None
    ranked_supplier_count: int | None = None
    group_rank: int | None = None
    category_rank: int | None = None
    category_ranked_count: int | None = None
    business_unit_rank: int | None = None
    business_unit_ranked_count: int | None = None
    is_bottom_decile: bool | None = None
    bottom_decile_reasons: str | None = None
    weakest_metrics: str | None = None


class ScorecardPublic(BaseModel):
    """A supplier's scorecard for one month (metrics over the trailing window)."""

    supplier_key: str
    group_supplier_id: str | None = None
    supplier_name: str | None = None
    scorecard_month: dt.date
    window_start_month: dt.date | None = None
    window_end_date: dt.date | None = None
    main_category_id: str | None = None
    main_category_name: str | None = None
    main_business_unit_code: str | None = None
    erp_vendor_record_count: int | None = None
    business_units: list[str] | None = Field(None, description="Units the supplier is in (current scorecard)")
    overall_score: float | None = None
    group_scores: dict[str, float | None]
    ranking: RankingPublic
    activity: dict[str, Any] = Field(description="Spend (group currency, as a decimal string), "
                                     "counts of orders, receipts, inspections … in the window")
    metrics: list[MetricPublic]
    other: dict[str, Any] | None = Field(None, description="Mart columns this API version does not group yet")


class ScorecardHistoryPublic(BaseModel):
    """Monthly scorecards of one supplier, newest first, with each metric's definition once."""

    supplier_key: str
    definitions: dict[str, str | None]
    items: list[ScorecardPublic]
    total: int
    limit: int
    offset: int


class ScorecardSummaryPublic(BaseModel):
    """A scorecard's headline figures (lists and rankings)."""

    supplier_key: str
    group_supplier_id: str | None = None
    supplier_name: str | None = None
    scorecard_month: dt.date
    main_category_id: str | None = None
    main_category_name: str | None = None
    main_business_unit_code: str | None = None
    spend_group: Decimal | None = None
    currency: str | None = None
    overall_score: float | None = None
    quality_score: float | None = None
    delivery_score: float | None = None
    price_score: float | None = None
    service_score: float | None = None
    is_ranked: bool | None = None
    unranked_reason: str | None = None
    ranked_supplier_count: int | None = None
    group_rank: int | None = None
    category_rank: int | None = None
    category_ranked_count: int | None = None
    business_unit_rank: int | None = None
    business_unit_ranked_count: int | None = None
    is_bottom_decile: bool | None = None


class RankingPagePublic(BaseModel):
    """One page of a ranking."""

    by: str = Field(description="group, category or business_unit")
    scorecard_month: dt.date
    items: list[ScorecardSummaryPublic]
    total: int
    limit: int
    offset: int


class EliminationReasonPublic(BaseModel):
    """A metric that put the supplier on the list: furthest below the peer median, by weight."""

    metric: str | None = None
    value: float | None = None
    peer_median: float | None = None
    score: float | None = None
    definition: str | None = None
    text: str


class EliminationEntryPublic(ScorecardSummaryPublic):
    """A supplier of the bottom decile, with the metrics that put it there."""

    reasons: list[EliminationReasonPublic]
    metrics: list[MetricPublic] = Field(description="Every metric's value and score that month")


class EliminationPagePublic(BaseModel):
    """The bottom-10 % list of one month (lowest overall score first)."""

    scorecard_month: dt.date
    items: list[EliminationEntryPublic]
    total: int
    limit: int
    offset: int
