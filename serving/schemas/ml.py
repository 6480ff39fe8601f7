"""Model outputs procurement reads: document fraud risk and SKU recommendations per buyer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field


class RiskDocumentPublic(BaseModel):
    """One scored document (``gold.ml_fraud_risk``)."""

    document_type: str = Field(description="purchase_order, ap_invoice or payment")
    document_id: str
    business_unit_code: str | None = None
    vendor_id: str | None = None
    supplier_key: str | None = Field(None, description="The vendor's golden supplier")
    buyer_id: str | None = None
    document_date: dt.date | None = None
    amount: Decimal | None = None
    currency: str | None = None
    amount_cny: float | None = None
    risk_score: float = Field(description="0..1")
    risk_level: str = Field(description="low, medium or high")
    risk_rank: int = Field(description="1 = riskiest document of the group")
    anomaly_score: float | None = None
    reasons: list[str] = Field(default_factory=list, description="Most important first")
    model_name: str
    model_version: str
    scored_through: dt.date | None = None


class RecommendationPublic(BaseModel):
    """One recommended SKU for one buyer (``gold.ml_recommendations``)."""

    business_unit_code: str
    buyer_id: str = Field(description="ERP buyer id, platform:<user id>, or unit:<code> (a new buyer)")
    buyer_source: str = Field(description="erp, platform or unit")
    rank: int = Field(description="1 = best")
    sku: str
    sku_name: str | None = None
    score: float = Field(description="P(in the buyer's next order), learned ranker")
    reason_kind: str = Field(description="due, regular, together, similar_buyers, trending, seasonal, repeat, popular")
    reason: str
    anchor_sku: str | None = Field(None, description="'often ordered with' this SKU")
    preferred_vendor_id: str | None = Field(None, description="The unit's top-ranked supplier for the SKU")
    supplier_key: str | None = Field(None, description="The preferred vendor's golden supplier")
    orders_with_item: int | None = None
    interval_days: float | None = None
    days_since_last: float | None = None
    model_name: str
    model_version: str
    history_through: dt.date | None = None
