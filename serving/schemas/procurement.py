"""Sourcing savings, contract compliance, utilisation and expiring contracts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel


class SourcingSavingsPublic(BaseModel):
    """Savings of one unit's awards in one category (``gold.sourcing_savings``)."""

    business_unit_code: str
    category_code: str
    event_count: int
    awarded_line_count: int
    awarded_quantity: Decimal | None = None
    award_value_group: Decimal | None = None
    lines_with_last_price: int
    award_value_vs_last_group: Decimal | None = None
    baseline_last_value_group: Decimal | None = None
    savings_vs_last_group: Decimal | None = None
    savings_vs_last_pct: float | None = None
    lines_with_median_price: int
    award_value_vs_median_group: Decimal | None = None
    baseline_median_value_group: Decimal | None = None
    savings_vs_median_group: Decimal | None = None
    savings_vs_median_pct: float | None = None
    last_awarded_at: dt.datetime | None = None
    group_currency: str


class ContractCompliancePublic(BaseModel):
    """On- vs off-contract spend of one unit in one category (``gold.contract_compliance``)."""

    business_unit_code: str
    category_code: str
    in_scope_line_count: int
    on_contract_line_count: int
    maverick_line_count: int
    maverick_order_count: int
    on_contract_spend_group: Decimal | None = None
    maverick_spend_group: Decimal | None = None
    contracted_sku_spend_group: Decimal | None = None
    compliance_rate: float | None = None
    price_leakage_group: Decimal | None = None
    leakage_line_count: int
    group_currency: str


class ContractUtilisationPublic(BaseModel):
    """One framework contract's call-offs against its commitment (``gold.contract_utilisation``)."""

    contract_id: int
    business_unit_codes: str
    supplier_id: str | None = None
    supplier_key: str | None = None
    currency: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    source_type: str | None = None
    source_ref: str | None = None
    is_signed: bool
    signed_at: dt.datetime | None = None
    line_count: int
    committed_quantity: int
    called_off_quantity: int
    remaining_quantity: int
    call_off_line_count: int
    utilisation_rate: float | None = None
    committed_value_group: Decimal | None = None
    called_off_value_group: Decimal | None = None
    remaining_value_group: Decimal | None = None
    as_of_date: dt.date | None = None
    window_elapsed_rate: float | None = None
    group_currency: str


class ExpiringContractPublic(BaseModel):
    """A contract ending soon with quantity left (``gold.contracts_expiring``)."""

    contract_id: int
    business_unit_codes: str
    supplier_id: str | None = None
    supplier_key: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date
    days_to_expiry: int
    committed_quantity: int
    remaining_quantity: int
    remaining_value_group: Decimal | None = None
    utilisation_rate: float | None = None
    window_elapsed_rate: float | None = None
    as_of_date: dt.date
    expiry_horizon_days: int
    group_currency: str
