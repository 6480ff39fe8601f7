"""Statement, dealer account and rebate bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from infra.http.validators import Id, RequestModel


class StatementRunCreate(RequestModel):
    """Issue the statements of ``[period_start, period_end)``."""

    period_start: dt.date
    period_end: dt.date
    supplier_id: str | None = Field(default=None, max_length=64)
    business_unit: str | None = Field(default=None, max_length=32,
                                      description="group admins only")


class StatementCorrectionCreate(RequestModel):
    """A correction of an issued statement: + means more payable to the supplier."""

    amount: Decimal = Field(max_digits=18, decimal_places=4)
    description: str = Field(min_length=1, max_length=300)


class StatementLinePublic(BaseModel):
    line_no: int
    line_type: str  # goods | promotion | refund | rebate | adjustment
    order_id: int | None
    reference_type: str
    reference_id: str
    event_date: dt.date
    description: str | None
    source_amount: Decimal
    source_currency: str
    fx_rate: Decimal | None
    fx_rate_date: dt.date | None
    fx_source: str | None
    amount: Decimal


class JournalLinePublic(BaseModel):
    account: str
    currency: str
    debit: Decimal
    credit: Decimal


class StatementPublic(BaseModel):
    """An issued (immutable) statement in the supplier's settlement currency."""

    id: int
    business_unit: str
    supplier_id: str
    kind: str  # regular | correction
    corrects_statement_id: int | None
    period_start: dt.date
    period_end: dt.date
    currency: str
    gross_amount: Decimal
    promotion_amount: Decimal
    refund_amount: Decimal
    rebate_amount: Decimal
    adjustment_amount: Decimal
    net_amount: Decimal
    line_count: int
    due_date: dt.date
    journal_entry_id: int
    issued_at: dt.datetime
    issued_by: int
    lines: list[StatementLinePublic] = []
    journal: list[JournalLinePublic] = []


class DealerAccountCreate(RequestModel):
    """A dealer account: one buyer (a dealer on the platform) or a whole unit."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    business_unit: str = Field(min_length=1, max_length=32)
    buyer_user_id: Id | None = None
    customer_ref: str | None = Field(default=None, max_length=64)


class DealerAccountPublic(BaseModel):
    id: int
    code: str
    name: str
    business_unit: str
    buyer_user_id: int | None
    customer_ref: str | None
    created_at: dt.datetime
    rebates_unsettled: dict[str, Decimal] = {}
    rebates_settled: dict[str, Decimal] = {}
    periods: list[dict[str, Any]] = []


class RebateSettlementPublic(BaseModel):
    id: int
    dealer_account_id: int
    amount: Decimal
    currency: str
    accruals: int
    settled_at: dt.datetime
    journal_entry_id: int
