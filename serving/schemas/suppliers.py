"""Supplier 360 shapes: golden record, source records, spend, performance, prices, shipments.

Columns follow the gold marts' contracts (``dbt_project/models/marts/{suppliers,performance}``;
``GET /api/v1/columns?mart=…`` serves their descriptions).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field

from serving.schemas.scorecards import ScorecardSummaryPublic


class SupplierPublic(BaseModel):
    """A golden supplier (``gold.supplier_master``)."""

    supplier_key: str
    group_supplier_id: str
    golden_name: str
    uscc: str | None = None
    uscc_is_valid: bool
    province: str | None = None
    city: str | None = None
    address: str | None = None
    phone: str | None = None
    bank_account: str | None = None
    industry: str | None = None
    member_count: int
    erp_record_count: int
    platform_record_count: int
    business_units: str | None = Field(None, description="Comma-separated unit codes")
    source_systems: str
    platform_supplier_ids: str | None = None
    min_match_confidence: float
    first_seen_at: dt.datetime | None = None
    founding_record_id: str


class SourceRecordPublic(BaseModel):
    """A source record merged into the golden supplier (its recorded name is an alias)."""

    record_id: str
    source_system: str = Field(description="erp or platform")
    source_record_id: str
    business_unit_code: str | None = None
    recorded_name: str | None = None
    recorded_uscc: str | None = None
    uscc_status: str | None = None
    source_status: str | None = None
    match_confidence: float | None = None
    match_evidence: str | None = None
    linked_record_id: str | None = None
    is_founding_record: bool | None = None
    source_created_at: dt.datetime | None = None
    source_updated_at: dt.datetime | None = None


class SpendSummaryPublic(BaseModel):
    """Spend with one business unit over every month in the snapshot (group currency)."""

    business_unit_code: str
    currency: str
    first_month: dt.date
    last_month: dt.date
    months: int
    po_count: int | None = None
    ordered_amount: Decimal | None = None
    received_amount: Decimal | None = None
    invoiced_amount: Decimal | None = None


class SpendMonthPublic(BaseModel):
    """Spend with one business unit in one month (``gold.supplier_spend_by_bu``)."""

    supplier_key: str
    business_unit_code: str
    spend_month: dt.date
    currency: str
    po_count: int | None = None
    po_line_count: int | None = None
    receipt_count: int | None = None
    invoice_count: int | None = None
    ordered_amount: Decimal | None = None
    received_amount: Decimal | None = None
    invoiced_amount: Decimal | None = None
    duplicate_invoiced_amount: Decimal | None = None
    business_unit_spend_share_pct: float | None = None
    group_spend_share_pct: float | None = None


class PerformanceMonthPublic(BaseModel):
    """Quality and delivery of one scorecard month."""

    scorecard_month: dt.date
    is_ranked: bool | None = None
    overall_score: float | None = None
    quality_score: float | None = None
    delivery_score: float | None = None
    price_score: float | None = None
    service_score: float | None = None
    group_rank: int | None = None
    is_bottom_decile: bool | None = None
    on_time_delivery_rate: float | None = None
    on_time_in_full_rate: float | None = None
    avg_days_late: float | None = None
    avg_lead_time_days: float | None = None
    quantity_accuracy_rate: float | None = None
    quality_pass_rate: float | None = None
    defect_ppm: float | None = None
    return_rate: float | None = None
    complaint_rate: float | None = None
    due_line_count: int | None = None
    inspection_count: int | None = None
    receipt_count: int | None = None


class PriceTrendPublic(BaseModel):
    """One month of the supplier's prices against the SKU medians (spend-weighted)."""

    price_month: dt.date
    skus: int
    spend_group: Decimal | None = None
    currency: str | None = None
    price_paid_vs_median_pct: float | None = Field(
        None, description="Spend-weighted % above (+) / below (-) the SKU median price paid")
    quote_vs_median_pct: float | None = Field(None, description="Mean % of quotes vs the SKU median quote")


class PriceMonthPublic(BaseModel):
    """Price of one SKU in one month against the SKU median (``gold.supplier_price_history``)."""

    supplier_key: str
    material_id: str
    sku: str | None = None
    material_name: str | None = None
    category_id: str | None = None
    price_month: dt.date
    uom: str | None = None
    currency: str
    purchase_line_count: int | None = None
    purchased_quantity: Decimal | None = None
    spend_group: Decimal | None = None
    avg_price_paid_group: Decimal | None = None
    sku_median_price_paid_group: Decimal | None = None
    price_paid_vs_median_pct: float | None = None
    supplier_offer_id: str | None = None
    quote_currency: str | None = None
    quoted_tiers: str | None = None
    quoted_moq: Decimal | None = None
    quoted_lead_time_days: int | None = None
    quoted_base_price: Decimal | None = None
    quoted_base_price_group: Decimal | None = None
    quoted_best_price_group: Decimal | None = None
    sku_median_quoted_price_group: Decimal | None = None
    quote_vs_median_pct: float | None = None
    price_paid_change_pct: float | None = None
    price_paid_trend_3m_pct: float | None = None
    quoted_price_change_3m_pct: float | None = None


class ShipmentPublic(BaseModel):
    """An inbound shipment with its ETAs (``gold.shipment_tracking``)."""

    shipment_id: str
    purchase_order_id: str | None = None
    vendor_id: str | None = None
    supplier_key: str | None = None
    destination_warehouse_id: str | None = None
    transport_mode: str | None = None
    carrier: str | None = None
    shipment_status: str | None = None
    shipped_at: dt.datetime | None = None
    promised_date: dt.date | None = None
    asn_expected_arrival_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    arrival_days_vs_promised: int | None = None
    is_on_time: bool | None = None
    is_gps_tracked: bool | None = None
    gps_eta_at: dt.datetime | None = None
    eta_error_hours: float | None = None
    asn_eta_error_hours: float | None = None
    is_asn_eta_accurate: bool | None = None


class DeliveryRiskPublic(BaseModel):
    """Late-delivery risk of one of the supplier's ERP vendor records for one SKU (``gold.ml_delivery_risk``)."""

    vendor_id: str
    business_unit_code: str | None = None
    material_id: str
    sku: str | None = None
    late_probability: float = Field(description="Probability that the next order line arrives after its promised "
                                                "date (grouplake_delivery_risk champion)")
    historical_late_rate: float | None = Field(None, description="The vendor's raw share of late lines (baseline)")
    pair_lines: int | None = Field(None, description="Lines of this vendor and SKU with a known outcome")
    open_lines: int | None = Field(None, description="Lines not received yet")
    overdue_open_lines: int | None = Field(None, description="Open lines already past their promised date")
    model_version: str | None = None
    as_of: dt.date | None = None


class Supplier360Public(BaseModel):
    """Everything procurement knows about one supplier, as of the snapshot."""

    supplier: SupplierPublic
    source_records: list[SourceRecordPublic] = Field(
        description="Records merged into it (yours and platform registrations when unit-scoped)")
    aliases: list[str] = Field(description="Distinct recorded names of those records")
    scorecard: ScorecardSummaryPublic | None = Field(None, description="The current scorecard")
    spend_by_business_unit: list[SpendSummaryPublic]
    performance_history: list[PerformanceMonthPublic] = Field(description="Last 12 months, newest first")
    price_trend: list[PriceTrendPublic] = Field(description="Last 12 months, newest first")
    delivery_risk: list[DeliveryRiskPublic] = Field(
        default_factory=list, description="Late-delivery risk per vendor record and SKU, riskiest first "
                                          "(at most 50; unit-scoped callers: their unit's records)")
    missing_marts: list[str] = Field(description="Sections left empty because their mart is not published")


class ReviewPairPublic(BaseModel):
    """A supplier record pair waiting for a data steward (``gold.supplier_review_queue``)."""

    left_record_id: str
    right_record_id: str
    probability: float = Field(description="The match model's probability that both are one company")
    left_name: str | None = None
    right_name: str | None = None
    left_supplier_key: str
    right_supplier_key: str
    same_supplier: bool = Field(description="Whether the last run put both in one golden supplier")
