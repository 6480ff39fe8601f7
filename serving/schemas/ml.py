"""Model outputs procurement reads: document fraud risk and supplier recommendations."""

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
    """One recommended supplier for one buyer (``gold.ml_recommendations``)."""

    business_unit_code: str
    buyer_id: str
    rank: int = Field(description="1 = best")
    vendor_id: str
    vendor_name: str | None = None
    supplier_key: str | None = Field(None, description="The vendor's golden supplier")
    score: float
    cf_score: float | None = None
    quality_score: float | None = None
    on_time_rate: float | None = None
    defect_rate: float | None = None
    unit_buyers: int | None = None
    reason: str | None = None
    model_name: str
    model_version: str
    history_through: dt.date | None = None
